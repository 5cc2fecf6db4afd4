
use builtin;
use str;

set edit:completion:arg-completer[theseus] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'theseus'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'theseus'= {
            cand --marathon 'Marathon base URL; several (comma-separated) fail over in order'
            cand --marathon-user 'Marathon HTTP basic-auth user'
            cand --marathon-password 'Marathon HTTP basic-auth password'
            cand --marathon-token 'Marathon bearer token (DC/OS ACS token)'
            cand --marathon-ca 'PEM file with a CA certificate to trust for Marathon'
            cand --etcd 'etcd endpoints, HOST:PORT or URLs, comma-separated'
            cand --etcd-user 'etcd user (with --etcd-password)'
            cand --etcd-password 'etcd password'
            cand --etcd-ca 'PEM file with the CA certificate of etcd''s TLS endpoints'
            cand --etcd-cert 'PEM client certificate for etcd (with --etcd-key)'
            cand --etcd-key 'PEM client key for etcd (with --etcd-cert)'
            cand --etcd-prefix 'Root prefix under which /services lives, so namespaces can share one etcd'
            cand --namespace 'Marathon path prefix of the groups (overrides the spec''s `namespace`)'
            cand --request-timeout 'Timeout for connecting to and each request to Marathon and etcd'
            cand -o 'Format of the result on stdout; progress and messages always go to stderr'
            cand --output 'Format of the result on stdout; progress and messages always go to stderr'
            cand --color 'When to use colors'
            cand -q 'Print only results and errors: no status lines, no progress'
            cand --quiet 'Print only results and errors: no status lines, no progress'
            cand -v 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
            cand --verbose 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand render 'Print the Marathon app definitions of the selected groups, offline'
            cand validate 'Check a spec file completely, offline; every error is reported at once'
            cand endpoints 'List the registered containers of a service''s groups, read from etcd'
            cand local 'Run a local Marathon-compatible engine on loopback'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'theseus;render'= {
            cand -s 'Only this service (repeatable or comma-separated)'
            cand --service 'Only this service (repeatable or comma-separated)'
            cand -l 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)'
            cand --label 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)'
            cand --marathon 'Marathon base URL; several (comma-separated) fail over in order'
            cand --marathon-user 'Marathon HTTP basic-auth user'
            cand --marathon-password 'Marathon HTTP basic-auth password'
            cand --marathon-token 'Marathon bearer token (DC/OS ACS token)'
            cand --marathon-ca 'PEM file with a CA certificate to trust for Marathon'
            cand --etcd 'etcd endpoints, HOST:PORT or URLs, comma-separated'
            cand --etcd-user 'etcd user (with --etcd-password)'
            cand --etcd-password 'etcd password'
            cand --etcd-ca 'PEM file with the CA certificate of etcd''s TLS endpoints'
            cand --etcd-cert 'PEM client certificate for etcd (with --etcd-key)'
            cand --etcd-key 'PEM client key for etcd (with --etcd-cert)'
            cand --etcd-prefix 'Root prefix under which /services lives, so namespaces can share one etcd'
            cand --namespace 'Marathon path prefix of the groups (overrides the spec''s `namespace`)'
            cand --request-timeout 'Timeout for connecting to and each request to Marathon and etcd'
            cand -o 'Format of the result on stdout; progress and messages always go to stderr'
            cand --output 'Format of the result on stdout; progress and messages always go to stderr'
            cand --color 'When to use colors'
            cand -q 'Print only results and errors: no status lines, no progress'
            cand --quiet 'Print only results and errors: no status lines, no progress'
            cand -v 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
            cand --verbose 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'theseus;validate'= {
            cand --marathon 'Marathon base URL; several (comma-separated) fail over in order'
            cand --marathon-user 'Marathon HTTP basic-auth user'
            cand --marathon-password 'Marathon HTTP basic-auth password'
            cand --marathon-token 'Marathon bearer token (DC/OS ACS token)'
            cand --marathon-ca 'PEM file with a CA certificate to trust for Marathon'
            cand --etcd 'etcd endpoints, HOST:PORT or URLs, comma-separated'
            cand --etcd-user 'etcd user (with --etcd-password)'
            cand --etcd-password 'etcd password'
            cand --etcd-ca 'PEM file with the CA certificate of etcd''s TLS endpoints'
            cand --etcd-cert 'PEM client certificate for etcd (with --etcd-key)'
            cand --etcd-key 'PEM client key for etcd (with --etcd-cert)'
            cand --etcd-prefix 'Root prefix under which /services lives, so namespaces can share one etcd'
            cand --namespace 'Marathon path prefix of the groups (overrides the spec''s `namespace`)'
            cand --request-timeout 'Timeout for connecting to and each request to Marathon and etcd'
            cand -o 'Format of the result on stdout; progress and messages always go to stderr'
            cand --output 'Format of the result on stdout; progress and messages always go to stderr'
            cand --color 'When to use colors'
            cand -q 'Print only results and errors: no status lines, no progress'
            cand --quiet 'Print only results and errors: no status lines, no progress'
            cand -v 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
            cand --verbose 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'theseus;endpoints'= {
            cand -l 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)'
            cand --label 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)'
            cand --marathon 'Marathon base URL; several (comma-separated) fail over in order'
            cand --marathon-user 'Marathon HTTP basic-auth user'
            cand --marathon-password 'Marathon HTTP basic-auth password'
            cand --marathon-token 'Marathon bearer token (DC/OS ACS token)'
            cand --marathon-ca 'PEM file with a CA certificate to trust for Marathon'
            cand --etcd 'etcd endpoints, HOST:PORT or URLs, comma-separated'
            cand --etcd-user 'etcd user (with --etcd-password)'
            cand --etcd-password 'etcd password'
            cand --etcd-ca 'PEM file with the CA certificate of etcd''s TLS endpoints'
            cand --etcd-cert 'PEM client certificate for etcd (with --etcd-key)'
            cand --etcd-key 'PEM client key for etcd (with --etcd-cert)'
            cand --etcd-prefix 'Root prefix under which /services lives, so namespaces can share one etcd'
            cand --namespace 'Marathon path prefix of the groups (overrides the spec''s `namespace`)'
            cand --request-timeout 'Timeout for connecting to and each request to Marathon and etcd'
            cand -o 'Format of the result on stdout; progress and messages always go to stderr'
            cand --output 'Format of the result on stdout; progress and messages always go to stderr'
            cand --color 'When to use colors'
            cand -q 'Print only results and errors: no status lines, no progress'
            cand --quiet 'Print only results and errors: no status lines, no progress'
            cand -v 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
            cand --verbose 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'theseus;local'= {
            cand --agents 'Number of simulated agents'
            cand --port 'Port to serve on (127.0.0.1); 0 picks a free one'
            cand --agent-attributes 'Agent attributes, `AGENT:key=value;key=value` (agent index from 1), repeatable'
            cand --agent-cpus 'CPUs per agent'
            cand --agent-mem 'Memory per agent, MiB'
            cand --agent-disk 'Disk per agent, MiB'
            cand --agent-ports 'Host port range offered by each agent, `LOW-HIGH`'
            cand --state 'File where the engine keeps its app definitions across restarts'
            cand --work-dir 'Directory for task sandboxes (default: a temporary directory)'
            cand --marathon 'Marathon base URL; several (comma-separated) fail over in order'
            cand --marathon-user 'Marathon HTTP basic-auth user'
            cand --marathon-password 'Marathon HTTP basic-auth password'
            cand --marathon-token 'Marathon bearer token (DC/OS ACS token)'
            cand --marathon-ca 'PEM file with a CA certificate to trust for Marathon'
            cand --etcd 'etcd endpoints, HOST:PORT or URLs, comma-separated'
            cand --etcd-user 'etcd user (with --etcd-password)'
            cand --etcd-password 'etcd password'
            cand --etcd-ca 'PEM file with the CA certificate of etcd''s TLS endpoints'
            cand --etcd-cert 'PEM client certificate for etcd (with --etcd-key)'
            cand --etcd-key 'PEM client key for etcd (with --etcd-cert)'
            cand --etcd-prefix 'Root prefix under which /services lives, so namespaces can share one etcd'
            cand --namespace 'Marathon path prefix of the groups (overrides the spec''s `namespace`)'
            cand --request-timeout 'Timeout for connecting to and each request to Marathon and etcd'
            cand -o 'Format of the result on stdout; progress and messages always go to stderr'
            cand --output 'Format of the result on stdout; progress and messages always go to stderr'
            cand --color 'When to use colors'
            cand -q 'Print only results and errors: no status lines, no progress'
            cand --quiet 'Print only results and errors: no status lines, no progress'
            cand -v 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
            cand --verbose 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'theseus;completions'= {
            cand --marathon 'Marathon base URL; several (comma-separated) fail over in order'
            cand --marathon-user 'Marathon HTTP basic-auth user'
            cand --marathon-password 'Marathon HTTP basic-auth password'
            cand --marathon-token 'Marathon bearer token (DC/OS ACS token)'
            cand --marathon-ca 'PEM file with a CA certificate to trust for Marathon'
            cand --etcd 'etcd endpoints, HOST:PORT or URLs, comma-separated'
            cand --etcd-user 'etcd user (with --etcd-password)'
            cand --etcd-password 'etcd password'
            cand --etcd-ca 'PEM file with the CA certificate of etcd''s TLS endpoints'
            cand --etcd-cert 'PEM client certificate for etcd (with --etcd-key)'
            cand --etcd-key 'PEM client key for etcd (with --etcd-cert)'
            cand --etcd-prefix 'Root prefix under which /services lives, so namespaces can share one etcd'
            cand --namespace 'Marathon path prefix of the groups (overrides the spec''s `namespace`)'
            cand --request-timeout 'Timeout for connecting to and each request to Marathon and etcd'
            cand -o 'Format of the result on stdout; progress and messages always go to stderr'
            cand --output 'Format of the result on stdout; progress and messages always go to stderr'
            cand --color 'When to use colors'
            cand -q 'Print only results and errors: no status lines, no progress'
            cand --quiet 'Print only results and errors: no status lines, no progress'
            cand -v 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
            cand --verbose 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'theseus;help'= {
            cand render 'Print the Marathon app definitions of the selected groups, offline'
            cand validate 'Check a spec file completely, offline; every error is reported at once'
            cand endpoints 'List the registered containers of a service''s groups, read from etcd'
            cand local 'Run a local Marathon-compatible engine on loopback'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'theseus;help;render'= {
        }
        &'theseus;help;validate'= {
        }
        &'theseus;help;endpoints'= {
        }
        &'theseus;help;local'= {
        }
        &'theseus;help;completions'= {
        }
        &'theseus;help;help'= {
        }
    ]
    $completions[$command]
}
