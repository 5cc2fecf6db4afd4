
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'theseus' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'theseus'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'theseus' {
            [CompletionResult]::new('--marathon', '--marathon', [CompletionResultType]::ParameterName, 'Marathon base URL; several (comma-separated) fail over in order')
            [CompletionResult]::new('--marathon-user', '--marathon-user', [CompletionResultType]::ParameterName, 'Marathon HTTP basic-auth user')
            [CompletionResult]::new('--marathon-password', '--marathon-password', [CompletionResultType]::ParameterName, 'Marathon HTTP basic-auth password')
            [CompletionResult]::new('--marathon-token', '--marathon-token', [CompletionResultType]::ParameterName, 'Marathon bearer token (DC/OS ACS token)')
            [CompletionResult]::new('--marathon-ca', '--marathon-ca', [CompletionResultType]::ParameterName, 'PEM file with a CA certificate to trust for Marathon')
            [CompletionResult]::new('--etcd', '--etcd', [CompletionResultType]::ParameterName, 'etcd endpoints, HOST:PORT or URLs, comma-separated')
            [CompletionResult]::new('--etcd-user', '--etcd-user', [CompletionResultType]::ParameterName, 'etcd user (with --etcd-password)')
            [CompletionResult]::new('--etcd-password', '--etcd-password', [CompletionResultType]::ParameterName, 'etcd password')
            [CompletionResult]::new('--etcd-ca', '--etcd-ca', [CompletionResultType]::ParameterName, 'PEM file with the CA certificate of etcd''s TLS endpoints')
            [CompletionResult]::new('--etcd-cert', '--etcd-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for etcd (with --etcd-key)')
            [CompletionResult]::new('--etcd-key', '--etcd-key', [CompletionResultType]::ParameterName, 'PEM client key for etcd (with --etcd-cert)')
            [CompletionResult]::new('--etcd-prefix', '--etcd-prefix', [CompletionResultType]::ParameterName, 'Root prefix under which /services lives, so namespaces can share one etcd')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Marathon path prefix of the groups (overrides the spec''s `namespace`)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for connecting to and each request to Marathon and etcd')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Format of the result on stdout; progress and messages always go to stderr')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Format of the result on stdout; progress and messages always go to stderr')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, no progress')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v requests, -vv debug logs and backtraces)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v requests, -vv debug logs and backtraces)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('render', 'render', [CompletionResultType]::ParameterValue, 'Print the Marathon app definitions of the selected groups, offline')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check a spec file completely, offline; every error is reported at once')
            [CompletionResult]::new('view', 'view', [CompletionResultType]::ParameterValue, 'Show what is deployed where: one row per labeled group, filtered by label')
            [CompletionResult]::new('endpoints', 'endpoints', [CompletionResultType]::ParameterValue, 'List the registered containers of a service''s groups, read from etcd')
            [CompletionResult]::new('local', 'local', [CompletionResultType]::ParameterValue, 'Run a local Marathon-compatible engine on loopback')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'theseus;render' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Only this service (repeatable or comma-separated)')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Only this service (repeatable or comma-separated)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)')
            [CompletionResult]::new('--marathon', '--marathon', [CompletionResultType]::ParameterName, 'Marathon base URL; several (comma-separated) fail over in order')
            [CompletionResult]::new('--marathon-user', '--marathon-user', [CompletionResultType]::ParameterName, 'Marathon HTTP basic-auth user')
            [CompletionResult]::new('--marathon-password', '--marathon-password', [CompletionResultType]::ParameterName, 'Marathon HTTP basic-auth password')
            [CompletionResult]::new('--marathon-token', '--marathon-token', [CompletionResultType]::ParameterName, 'Marathon bearer token (DC/OS ACS token)')
            [CompletionResult]::new('--marathon-ca', '--marathon-ca', [CompletionResultType]::ParameterName, 'PEM file with a CA certificate to trust for Marathon')
            [CompletionResult]::new('--etcd', '--etcd', [CompletionResultType]::ParameterName, 'etcd endpoints, HOST:PORT or URLs, comma-separated')
            [CompletionResult]::new('--etcd-user', '--etcd-user', [CompletionResultType]::ParameterName, 'etcd user (with --etcd-password)')
            [CompletionResult]::new('--etcd-password', '--etcd-password', [CompletionResultType]::ParameterName, 'etcd password')
            [CompletionResult]::new('--etcd-ca', '--etcd-ca', [CompletionResultType]::ParameterName, 'PEM file with the CA certificate of etcd''s TLS endpoints')
            [CompletionResult]::new('--etcd-cert', '--etcd-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for etcd (with --etcd-key)')
            [CompletionResult]::new('--etcd-key', '--etcd-key', [CompletionResultType]::ParameterName, 'PEM client key for etcd (with --etcd-cert)')
            [CompletionResult]::new('--etcd-prefix', '--etcd-prefix', [CompletionResultType]::ParameterName, 'Root prefix under which /services lives, so namespaces can share one etcd')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Marathon path prefix of the groups (overrides the spec''s `namespace`)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for connecting to and each request to Marathon and etcd')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Format of the result on stdout; progress and messages always go to stderr')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Format of the result on stdout; progress and messages always go to stderr')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, no progress')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v requests, -vv debug logs and backtraces)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v requests, -vv debug logs and backtraces)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'theseus;validate' {
            [CompletionResult]::new('--marathon', '--marathon', [CompletionResultType]::ParameterName, 'Marathon base URL; several (comma-separated) fail over in order')
            [CompletionResult]::new('--marathon-user', '--marathon-user', [CompletionResultType]::ParameterName, 'Marathon HTTP basic-auth user')
            [CompletionResult]::new('--marathon-password', '--marathon-password', [CompletionResultType]::ParameterName, 'Marathon HTTP basic-auth password')
            [CompletionResult]::new('--marathon-token', '--marathon-token', [CompletionResultType]::ParameterName, 'Marathon bearer token (DC/OS ACS token)')
            [CompletionResult]::new('--marathon-ca', '--marathon-ca', [CompletionResultType]::ParameterName, 'PEM file with a CA certificate to trust for Marathon')
            [CompletionResult]::new('--etcd', '--etcd', [CompletionResultType]::ParameterName, 'etcd endpoints, HOST:PORT or URLs, comma-separated')
            [CompletionResult]::new('--etcd-user', '--etcd-user', [CompletionResultType]::ParameterName, 'etcd user (with --etcd-password)')
            [CompletionResult]::new('--etcd-password', '--etcd-password', [CompletionResultType]::ParameterName, 'etcd password')
            [CompletionResult]::new('--etcd-ca', '--etcd-ca', [CompletionResultType]::ParameterName, 'PEM file with the CA certificate of etcd''s TLS endpoints')
            [CompletionResult]::new('--etcd-cert', '--etcd-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for etcd (with --etcd-key)')
            [CompletionResult]::new('--etcd-key', '--etcd-key', [CompletionResultType]::ParameterName, 'PEM client key for etcd (with --etcd-cert)')
            [CompletionResult]::new('--etcd-prefix', '--etcd-prefix', [CompletionResultType]::ParameterName, 'Root prefix under which /services lives, so namespaces can share one etcd')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Marathon path prefix of the groups (overrides the spec''s `namespace`)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for connecting to and each request to Marathon and etcd')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Format of the result on stdout; progress and messages always go to stderr')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Format of the result on stdout; progress and messages always go to stderr')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, no progress')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v requests, -vv debug logs and backtraces)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v requests, -vv debug logs and backtraces)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'theseus;view' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Refresh interval for --watch')
            [CompletionResult]::new('--marathon', '--marathon', [CompletionResultType]::ParameterName, 'Marathon base URL; several (comma-separated) fail over in order')
            [CompletionResult]::new('--marathon-user', '--marathon-user', [CompletionResultType]::ParameterName, 'Marathon HTTP basic-auth user')
            [CompletionResult]::new('--marathon-password', '--marathon-password', [CompletionResultType]::ParameterName, 'Marathon HTTP basic-auth password')
            [CompletionResult]::new('--marathon-token', '--marathon-token', [CompletionResultType]::ParameterName, 'Marathon bearer token (DC/OS ACS token)')
            [CompletionResult]::new('--marathon-ca', '--marathon-ca', [CompletionResultType]::ParameterName, 'PEM file with a CA certificate to trust for Marathon')
            [CompletionResult]::new('--etcd', '--etcd', [CompletionResultType]::ParameterName, 'etcd endpoints, HOST:PORT or URLs, comma-separated')
            [CompletionResult]::new('--etcd-user', '--etcd-user', [CompletionResultType]::ParameterName, 'etcd user (with --etcd-password)')
            [CompletionResult]::new('--etcd-password', '--etcd-password', [CompletionResultType]::ParameterName, 'etcd password')
            [CompletionResult]::new('--etcd-ca', '--etcd-ca', [CompletionResultType]::ParameterName, 'PEM file with the CA certificate of etcd''s TLS endpoints')
            [CompletionResult]::new('--etcd-cert', '--etcd-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for etcd (with --etcd-key)')
            [CompletionResult]::new('--etcd-key', '--etcd-key', [CompletionResultType]::ParameterName, 'PEM client key for etcd (with --etcd-cert)')
            [CompletionResult]::new('--etcd-prefix', '--etcd-prefix', [CompletionResultType]::ParameterName, 'Root prefix under which /services lives, so namespaces can share one etcd')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Marathon path prefix of the groups (overrides the spec''s `namespace`)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for connecting to and each request to Marathon and etcd')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Format of the result on stdout; progress and messages always go to stderr')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Format of the result on stdout; progress and messages always go to stderr')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Add hosts and ports to the table')
            [CompletionResult]::new('--containers', '--containers', [CompletionResultType]::ParameterName, 'List each container (task) with host:port instead of one row per group')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Refresh until Ctrl-C (with `-o json`: one compact JSON document per line per refresh)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, no progress')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v requests, -vv debug logs and backtraces)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v requests, -vv debug logs and backtraces)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'theseus;endpoints' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)')
            [CompletionResult]::new('--marathon', '--marathon', [CompletionResultType]::ParameterName, 'Marathon base URL; several (comma-separated) fail over in order')
            [CompletionResult]::new('--marathon-user', '--marathon-user', [CompletionResultType]::ParameterName, 'Marathon HTTP basic-auth user')
            [CompletionResult]::new('--marathon-password', '--marathon-password', [CompletionResultType]::ParameterName, 'Marathon HTTP basic-auth password')
            [CompletionResult]::new('--marathon-token', '--marathon-token', [CompletionResultType]::ParameterName, 'Marathon bearer token (DC/OS ACS token)')
            [CompletionResult]::new('--marathon-ca', '--marathon-ca', [CompletionResultType]::ParameterName, 'PEM file with a CA certificate to trust for Marathon')
            [CompletionResult]::new('--etcd', '--etcd', [CompletionResultType]::ParameterName, 'etcd endpoints, HOST:PORT or URLs, comma-separated')
            [CompletionResult]::new('--etcd-user', '--etcd-user', [CompletionResultType]::ParameterName, 'etcd user (with --etcd-password)')
            [CompletionResult]::new('--etcd-password', '--etcd-password', [CompletionResultType]::ParameterName, 'etcd password')
            [CompletionResult]::new('--etcd-ca', '--etcd-ca', [CompletionResultType]::ParameterName, 'PEM file with the CA certificate of etcd''s TLS endpoints')
            [CompletionResult]::new('--etcd-cert', '--etcd-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for etcd (with --etcd-key)')
            [CompletionResult]::new('--etcd-key', '--etcd-key', [CompletionResultType]::ParameterName, 'PEM client key for etcd (with --etcd-cert)')
            [CompletionResult]::new('--etcd-prefix', '--etcd-prefix', [CompletionResultType]::ParameterName, 'Root prefix under which /services lives, so namespaces can share one etcd')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Marathon path prefix of the groups (overrides the spec''s `namespace`)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for connecting to and each request to Marathon and etcd')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Format of the result on stdout; progress and messages always go to stderr')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Format of the result on stdout; progress and messages always go to stderr')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, no progress')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v requests, -vv debug logs and backtraces)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v requests, -vv debug logs and backtraces)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'theseus;local' {
            [CompletionResult]::new('--agents', '--agents', [CompletionResultType]::ParameterName, 'Number of simulated agents')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to serve on (127.0.0.1); 0 picks a free one')
            [CompletionResult]::new('--agent-attributes', '--agent-attributes', [CompletionResultType]::ParameterName, 'Agent attributes, `AGENT:key=value;key=value` (agent index from 1), repeatable')
            [CompletionResult]::new('--agent-cpus', '--agent-cpus', [CompletionResultType]::ParameterName, 'CPUs per agent')
            [CompletionResult]::new('--agent-mem', '--agent-mem', [CompletionResultType]::ParameterName, 'Memory per agent, MiB')
            [CompletionResult]::new('--agent-disk', '--agent-disk', [CompletionResultType]::ParameterName, 'Disk per agent, MiB')
            [CompletionResult]::new('--agent-ports', '--agent-ports', [CompletionResultType]::ParameterName, 'Host port range offered by each agent, `LOW-HIGH`')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'File where the engine keeps its app definitions across restarts')
            [CompletionResult]::new('--work-dir', '--work-dir', [CompletionResultType]::ParameterName, 'Directory for task sandboxes (default: a temporary directory)')
            [CompletionResult]::new('--marathon', '--marathon', [CompletionResultType]::ParameterName, 'Marathon base URL; several (comma-separated) fail over in order')
            [CompletionResult]::new('--marathon-user', '--marathon-user', [CompletionResultType]::ParameterName, 'Marathon HTTP basic-auth user')
            [CompletionResult]::new('--marathon-password', '--marathon-password', [CompletionResultType]::ParameterName, 'Marathon HTTP basic-auth password')
            [CompletionResult]::new('--marathon-token', '--marathon-token', [CompletionResultType]::ParameterName, 'Marathon bearer token (DC/OS ACS token)')
            [CompletionResult]::new('--marathon-ca', '--marathon-ca', [CompletionResultType]::ParameterName, 'PEM file with a CA certificate to trust for Marathon')
            [CompletionResult]::new('--etcd', '--etcd', [CompletionResultType]::ParameterName, 'etcd endpoints, HOST:PORT or URLs, comma-separated')
            [CompletionResult]::new('--etcd-user', '--etcd-user', [CompletionResultType]::ParameterName, 'etcd user (with --etcd-password)')
            [CompletionResult]::new('--etcd-password', '--etcd-password', [CompletionResultType]::ParameterName, 'etcd password')
            [CompletionResult]::new('--etcd-ca', '--etcd-ca', [CompletionResultType]::ParameterName, 'PEM file with the CA certificate of etcd''s TLS endpoints')
            [CompletionResult]::new('--etcd-cert', '--etcd-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for etcd (with --etcd-key)')
            [CompletionResult]::new('--etcd-key', '--etcd-key', [CompletionResultType]::ParameterName, 'PEM client key for etcd (with --etcd-cert)')
            [CompletionResult]::new('--etcd-prefix', '--etcd-prefix', [CompletionResultType]::ParameterName, 'Root prefix under which /services lives, so namespaces can share one etcd')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Marathon path prefix of the groups (overrides the spec''s `namespace`)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for connecting to and each request to Marathon and etcd')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Format of the result on stdout; progress and messages always go to stderr')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Format of the result on stdout; progress and messages always go to stderr')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, no progress')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v requests, -vv debug logs and backtraces)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v requests, -vv debug logs and backtraces)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'theseus;completions' {
            [CompletionResult]::new('--marathon', '--marathon', [CompletionResultType]::ParameterName, 'Marathon base URL; several (comma-separated) fail over in order')
            [CompletionResult]::new('--marathon-user', '--marathon-user', [CompletionResultType]::ParameterName, 'Marathon HTTP basic-auth user')
            [CompletionResult]::new('--marathon-password', '--marathon-password', [CompletionResultType]::ParameterName, 'Marathon HTTP basic-auth password')
            [CompletionResult]::new('--marathon-token', '--marathon-token', [CompletionResultType]::ParameterName, 'Marathon bearer token (DC/OS ACS token)')
            [CompletionResult]::new('--marathon-ca', '--marathon-ca', [CompletionResultType]::ParameterName, 'PEM file with a CA certificate to trust for Marathon')
            [CompletionResult]::new('--etcd', '--etcd', [CompletionResultType]::ParameterName, 'etcd endpoints, HOST:PORT or URLs, comma-separated')
            [CompletionResult]::new('--etcd-user', '--etcd-user', [CompletionResultType]::ParameterName, 'etcd user (with --etcd-password)')
            [CompletionResult]::new('--etcd-password', '--etcd-password', [CompletionResultType]::ParameterName, 'etcd password')
            [CompletionResult]::new('--etcd-ca', '--etcd-ca', [CompletionResultType]::ParameterName, 'PEM file with the CA certificate of etcd''s TLS endpoints')
            [CompletionResult]::new('--etcd-cert', '--etcd-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for etcd (with --etcd-key)')
            [CompletionResult]::new('--etcd-key', '--etcd-key', [CompletionResultType]::ParameterName, 'PEM client key for etcd (with --etcd-cert)')
            [CompletionResult]::new('--etcd-prefix', '--etcd-prefix', [CompletionResultType]::ParameterName, 'Root prefix under which /services lives, so namespaces can share one etcd')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Marathon path prefix of the groups (overrides the spec''s `namespace`)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for connecting to and each request to Marathon and etcd')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Format of the result on stdout; progress and messages always go to stderr')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Format of the result on stdout; progress and messages always go to stderr')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, no progress')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v requests, -vv debug logs and backtraces)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v requests, -vv debug logs and backtraces)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'theseus;help' {
            [CompletionResult]::new('render', 'render', [CompletionResultType]::ParameterValue, 'Print the Marathon app definitions of the selected groups, offline')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check a spec file completely, offline; every error is reported at once')
            [CompletionResult]::new('view', 'view', [CompletionResultType]::ParameterValue, 'Show what is deployed where: one row per labeled group, filtered by label')
            [CompletionResult]::new('endpoints', 'endpoints', [CompletionResultType]::ParameterValue, 'List the registered containers of a service''s groups, read from etcd')
            [CompletionResult]::new('local', 'local', [CompletionResultType]::ParameterValue, 'Run a local Marathon-compatible engine on loopback')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'theseus;help;render' {
            break
        }
        'theseus;help;validate' {
            break
        }
        'theseus;help;view' {
            break
        }
        'theseus;help;endpoints' {
            break
        }
        'theseus;help;local' {
            break
        }
        'theseus;help;completions' {
            break
        }
        'theseus;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
