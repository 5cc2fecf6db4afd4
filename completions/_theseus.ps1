
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
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show what create/update/remove would do, against the live state')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create the selected groups that do not exist yet, wait until healthy, register them')
            [CompletionResult]::new('scale', 'scale', [CompletionResultType]::ParameterValue, 'Scale one group in place (no restart), wait, register')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove groups: deregister containers, delete the Marathon apps, clear etcd')
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
        'theseus;plan' {
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
            [CompletionResult]::new('--exit-code', '--exit-code', [CompletionResultType]::ParameterName, 'Exit 10 when changes are pending, 0 when there are none (for CI)')
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
        'theseus;create' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Only this service (repeatable or comma-separated)')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Only this service (repeatable or comma-separated)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up waiting after this long (exit 5)')
            [CompletionResult]::new('--poll-interval', '--poll-interval', [CompletionResultType]::ParameterName, 'How often to poll Marathon while waiting')
            [CompletionResult]::new('--fail-after', '--fail-after', [CompletionResultType]::ParameterName, 'Fail when Marathon cannot place the tasks (or they keep failing) for this long')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait this long for another theseus changing the same group to finish (then exit 6)')
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
            [CompletionResult]::new('--skip-existing', '--skip-existing', [CompletionResultType]::ParameterName, 'Create only the groups that are missing instead of failing on existing ones')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return as soon as Marathon accepted the change')
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
        'theseus;scale' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'The group''s labels (repeatable or comma-separated)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'The group''s labels (repeatable or comma-separated)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The new number of instances')
            [CompletionResult]::new('--instances', '--instances', [CompletionResultType]::ParameterName, 'The new number of instances')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up waiting after this long (exit 5)')
            [CompletionResult]::new('--poll-interval', '--poll-interval', [CompletionResultType]::ParameterName, 'How often to poll Marathon while waiting')
            [CompletionResult]::new('--fail-after', '--fail-after', [CompletionResultType]::ParameterName, 'Fail when Marathon cannot place the tasks (or they keep failing) for this long')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait this long for another theseus changing the same group to finish (then exit 6)')
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
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return as soon as Marathon accepted the change')
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
        'theseus;remove' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'With a spec file: only these services')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'With a spec file: only these services')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up waiting after this long (exit 5)')
            [CompletionResult]::new('--poll-interval', '--poll-interval', [CompletionResultType]::ParameterName, 'How often to poll Marathon while waiting')
            [CompletionResult]::new('--fail-after', '--fail-after', [CompletionResultType]::ParameterName, 'Fail when Marathon cannot place the tasks (or they keep failing) for this long')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait this long for another theseus changing the same group to finish (then exit 6)')
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
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Allow removing a whole service, or every group of a spec file, without a label selection')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be removed and change nothing')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Remove even while a Marathon deployment holds the group (cancels it)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return as soon as Marathon accepted the change')
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
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show what create/update/remove would do, against the live state')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create the selected groups that do not exist yet, wait until healthy, register them')
            [CompletionResult]::new('scale', 'scale', [CompletionResultType]::ParameterValue, 'Scale one group in place (no restart), wait, register')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove groups: deregister containers, delete the Marathon apps, clear etcd')
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
        'theseus;help;plan' {
            break
        }
        'theseus;help;create' {
            break
        }
        'theseus;help;scale' {
            break
        }
        'theseus;help;remove' {
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
