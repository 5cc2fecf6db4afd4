# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_theseus_global_optspecs
    string join \n marathon= marathon-user= marathon-password= marathon-token= marathon-ca= mesos= log-lines= etcd= etcd-user= etcd-password= etcd-ca= etcd-cert= etcd-key= etcd-prefix= namespace= request-timeout= lock-ttl= o/output= no-headers color= q/quiet v/verbose log-format= h/help V/version
end

function __fish_theseus_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_theseus_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_theseus_using_subcommand
    set -l cmd (__fish_theseus_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c theseus -n "__fish_theseus_needs_command" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_needs_command" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_needs_command" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_needs_command" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_needs_command" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_needs_command" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_needs_command" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_needs_command" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_needs_command" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_needs_command" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_needs_command" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_needs_command" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_needs_command" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_needs_command" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_needs_command" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_needs_command" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_needs_command" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_needs_command" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_needs_command" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_needs_command" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_needs_command" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_needs_command" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_needs_command" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_needs_command" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "render" -d 'Print the Marathon app definitions of the selected groups, offline'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "validate" -d 'Check a spec file completely, offline; every error is reported at once'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "plan" -d 'Show what create/update/remove would do, against the live state'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "create" -d 'Create the selected groups that do not exist yet, wait until healthy, register them'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "update" -d 'Roll groups forward to the spec: create, scale in place, or roll in batches'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "restart" -d 'Replace every task of one group in batches, with no spec change'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "rollout" -d 'Show, resume or abort a group\'s interrupted rollout (journaled in etcd)'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "history" -d 'List the revisions deployed to a group, newest first, marking the current one'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "rollback" -d 'Roll a group back to its previous revision (or `--to REV`), in batches like `update`'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "scale" -d 'Scale one group in place (no restart), wait, register'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "remove" -d 'Remove groups: deregister containers, delete the Marathon apps, clear etcd'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "view" -d 'Show what is deployed where: one row per labeled group, filtered by label'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "endpoints" -d 'List the registered containers of a service\'s groups, read from etcd'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "logs" -d 'Print the output (stdout and stderr) of a group\'s tasks, read from the Mesos agents'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "sync" -d 'Keep etcd equal to Marathon\'s running, healthy tasks; `--once` repairs and exits'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "local" -d 'Run a local Marathon-compatible engine on loopback'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c theseus -n "__fish_theseus_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c theseus -n "__fish_theseus_using_subcommand render" -s f -l file -d 'A spec file, repeatable (their groups are acted on together); `-` is standard input' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand render" -s s -l service -d 'Only this service (repeatable or comma-separated)' -r
complete -c theseus -n "__fish_theseus_using_subcommand render" -s l -l label -d 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)' -r
complete -c theseus -n "__fish_theseus_using_subcommand render" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand render" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand render" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand render" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand render" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand render" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand render" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand render" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand render" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand render" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand render" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand render" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand render" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand render" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand render" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand render" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand render" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand render" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand render" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand render" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand render" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand render" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand render" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand render" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand render" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand validate" -s f -l file -d 'A spec file, repeatable (their groups are acted on together); `-` is standard input' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand validate" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand validate" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand validate" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand validate" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand validate" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand plan" -s f -l file -d 'A spec file, repeatable (their groups are acted on together); `-` is standard input' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand plan" -s s -l service -d 'Only this service (repeatable or comma-separated)' -r
complete -c theseus -n "__fish_theseus_using_subcommand plan" -s l -l label -d 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)' -r
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand plan" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l exit-code -d 'Exit 10 when changes are pending, 0 when there are none (for CI)'
complete -c theseus -n "__fish_theseus_using_subcommand plan" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand plan" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand plan" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand plan" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand create" -s f -l file -d 'A spec file, repeatable (their groups are acted on together); `-` is standard input' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand create" -s s -l service -d 'Only this service (repeatable or comma-separated)' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -s l -l label -d 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -l timeout -d 'Give up waiting after this long (exit 5)' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -l poll-interval -d 'How often to poll Marathon while waiting' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -l fail-after -d 'Fail when Marathon cannot place the tasks (or new ones keep failing) for this long; a create or scale-up that fails so is undone (exit 3, or 4 if the undo fails)' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -l lock-timeout -d 'Wait this long for another theseus changing the same group to finish (then exit 6)' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand create" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand create" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand create" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand create" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand create" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand create" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand create" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand create" -l skip-existing -d 'Create only the groups that are missing instead of failing on existing ones'
complete -c theseus -n "__fish_theseus_using_subcommand create" -l dry-run -d 'Show what would be created (and skipped) and change nothing'
complete -c theseus -n "__fish_theseus_using_subcommand create" -l no-wait -d 'Return as soon as Marathon accepted the change'
complete -c theseus -n "__fish_theseus_using_subcommand create" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand create" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand create" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand create" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand update" -s f -l file -d 'A spec file, repeatable (their groups are acted on together); `-` is standard input' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand update" -s s -l service -d 'Only this service (repeatable or comma-separated)' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -s l -l label -d 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l batch -d 'Instances per batch: a count or a percentage of the instances (`2`, `25%`)' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l wait -d 'Pause between batches' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l max-unavailable -d 'How far below `instances` the healthy count may drop (`0`, `1`, `10%`)' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l min-healthy -d 'How long a new task must stay healthy before it counts (an app without health checks: at least the poll interval)' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l deadline -d 'How long one batch may take to become healthy (then the rollout fails)' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l lock-timeout -d 'Wait this long for another theseus changing the same group to finish (then exit 6)' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l poll-interval -d 'How often to poll Marathon' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l fail-after -d 'Fail when new tasks cannot be placed (or keep failing) for this long' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l canary -d 'Bring up this many instances of the new revision beside the full old one first (`1`, `10%`), registered with `"canary": true`, then hold at the gates' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l canary-for -d 'The canary passes only after staying running and healthy, with no new task failure, this long' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l gate -d 'A command judging the canary (`/bin/sh -c`; the group, revisions and canary endpoints in its environment and as JSON on stdin): exit 0 passes, 1 fails (roll back, exit 3), 2 is inconclusive (hold for a person)' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l gate-timeout -d 'Kill a gate command that runs this long (the canary fails)' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l promote -d 'After the gates: go on by itself (`auto`), or hold until `theseus rollout promote` (`manual`)' -r -f -a "auto\t'Go on after the gates by itself'
manual\t'Hold until `theseus rollout promote`'"
complete -c theseus -n "__fish_theseus_using_subcommand update" -l bake -d 'After the last batch, watch the new revision this long (the old app kept at 0 instances) and roll back on a task failure or failing health; then delete the old app' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l waves -d 'Roll the groups in waves: `;`-separated label selectors (`-l` syntax, e.g. `\'canary;dev;prod\'`); a wave starts when every group of the one before has finished, and a failure skips the waves after it (exit 3)' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -s m -l message -d 'A message recorded with the new revision' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand update" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand update" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand update" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand update" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand update" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand update" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand update" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand update" -l no-rollback -d 'Leave a failed rollout as it is instead of rolling back (exit 4)'
complete -c theseus -n "__fish_theseus_using_subcommand update" -l dry-run -d 'Print the batches and change nothing'
complete -c theseus -n "__fish_theseus_using_subcommand update" -l detach -d 'End as soon as the rollout holds (canary passed, or a gate inconclusive): exit 11 "awaiting promotion", the lock released; `theseus rollout promote` or `abort` goes on'
complete -c theseus -n "__fish_theseus_using_subcommand update" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand update" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand update" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand update" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand restart" -s l -l label -d 'The group\'s labels (repeatable or comma-separated; `dev.frontend` as GROUP prints it)' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l batch -d 'Instances per batch: a count or a percentage of the instances (`2`, `25%`)' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l wait -d 'Pause between batches' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l max-unavailable -d 'How far below `instances` the healthy count may drop (`0`, `1`, `10%`)' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l min-healthy -d 'How long a new task must stay healthy before it counts (an app without health checks: at least the poll interval)' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l deadline -d 'How long one batch may take to become healthy (then the rollout fails)' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l lock-timeout -d 'Wait this long for another theseus changing the same group to finish (then exit 6)' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l poll-interval -d 'How often to poll Marathon' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l fail-after -d 'Fail when new tasks cannot be placed (or keep failing) for this long' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand restart" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l no-rollback -d 'Leave a failed rollout as it is instead of rolling back (exit 4)'
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l dry-run -d 'Print the batches and change nothing'
complete -c theseus -n "__fish_theseus_using_subcommand restart" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand restart" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand restart" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand restart" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand restart" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -f -a "status" -d 'Show a group\'s journaled rollout beside where its revisions stand (exit 2: none)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -f -a "pause" -d 'Hold a rollout before its next batch, until `rollout resume`'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -f -a "resume" -d 'Continue a paused or interrupted rollout'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -f -a "promote" -d 'Promote a canary: the remaining batches follow (with `--full`, without the gates and pauses left)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -f -a "abort" -d 'Stop a rollout and roll it back: old revision to full healthy capacity, then the new one drained and deleted'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and not __fish_seen_subcommand_from status pause resume promote abort help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -s l -l label -d 'The group\'s labels (repeatable or comma-separated; `dev.frontend` as GROUP prints it)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s l -l label -d 'The group\'s labels (repeatable or comma-separated; `dev.frontend` as GROUP prints it)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l timeout -d 'Give up waiting for the running rollout to obey after this long (exit 5)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l lock-timeout -d 'Wait this long for the group\'s lock when nobody runs the rollout (then exit 6)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l no-wait -d 'Return once the request is written, without waiting for the running rollout to obey'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s l -l label -d 'The group\'s labels (repeatable or comma-separated; `dev.frontend` as GROUP prints it)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l timeout -d 'Give up waiting for the running rollout to obey after this long (exit 5)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l batch -d 'Instances per batch: a count or a percentage of the instances (`2`, `25%`)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l wait -d 'Pause between batches' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l max-unavailable -d 'How far below `instances` the healthy count may drop (`0`, `1`, `10%`)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l min-healthy -d 'How long a new task must stay healthy before it counts (an app without health checks: at least the poll interval)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l deadline -d 'How long one batch may take to become healthy (then the rollout fails)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l lock-timeout -d 'Wait this long for another theseus changing the same group to finish (then exit 6)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l poll-interval -d 'How often to poll Marathon' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l fail-after -d 'Fail when new tasks cannot be placed (or keep failing) for this long' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l no-wait -d 'Return once the request is written, without waiting for the running rollout to obey'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l no-rollback -d 'Leave a failed rollout as it is instead of rolling back (exit 4)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l dry-run -d 'Print the batches and change nothing'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -s l -l label -d 'The group\'s labels (repeatable or comma-separated; `dev.frontend` as GROUP prints it)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l timeout -d 'Give up waiting for the running rollout to obey after this long (exit 5)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l batch -d 'Instances per batch: a count or a percentage of the instances (`2`, `25%`)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l wait -d 'Pause between batches' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l max-unavailable -d 'How far below `instances` the healthy count may drop (`0`, `1`, `10%`)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l min-healthy -d 'How long a new task must stay healthy before it counts (an app without health checks: at least the poll interval)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l deadline -d 'How long one batch may take to become healthy (then the rollout fails)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l lock-timeout -d 'Wait this long for another theseus changing the same group to finish (then exit 6)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l poll-interval -d 'How often to poll Marathon' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l fail-after -d 'Fail when new tasks cannot be placed (or keep failing) for this long' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l full -d 'Skip the remaining gates (`--canary-for`, `--gate`) and the pauses between batches'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l no-wait -d 'Return once the request is written, without waiting for the running rollout to obey'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l no-rollback -d 'Leave a failed rollout as it is instead of rolling back (exit 4)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l dry-run -d 'Print the batches and change nothing'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from promote" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -s l -l label -d 'The group\'s labels (repeatable or comma-separated; `dev.frontend` as GROUP prints it)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l timeout -d 'Give up waiting for the running rollout to obey after this long (exit 5)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l batch -d 'Instances per batch: a count or a percentage of the instances (`2`, `25%`)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l wait -d 'Pause between batches' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l max-unavailable -d 'How far below `instances` the healthy count may drop (`0`, `1`, `10%`)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l min-healthy -d 'How long a new task must stay healthy before it counts (an app without health checks: at least the poll interval)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l deadline -d 'How long one batch may take to become healthy (then the rollout fails)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l lock-timeout -d 'Wait this long for another theseus changing the same group to finish (then exit 6)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l poll-interval -d 'How often to poll Marathon' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l fail-after -d 'Fail when new tasks cannot be placed (or keep failing) for this long' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l no-wait -d 'Return once the request is written, without waiting for the running rollout to obey'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l no-rollback -d 'Leave a failed rollout as it is instead of rolling back (exit 4)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l dry-run -d 'Print the batches and change nothing'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from abort" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show a group\'s journaled rollout beside where its revisions stand (exit 2: none)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from help" -f -a "pause" -d 'Hold a rollout before its next batch, until `rollout resume`'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from help" -f -a "resume" -d 'Continue a paused or interrupted rollout'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from help" -f -a "promote" -d 'Promote a canary: the remaining batches follow (with `--full`, without the gates and pauses left)'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from help" -f -a "abort" -d 'Stop a rollout and roll it back: old revision to full healthy capacity, then the new one drained and deleted'
complete -c theseus -n "__fish_theseus_using_subcommand rollout; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c theseus -n "__fish_theseus_using_subcommand history" -s l -l label -d 'The group\'s labels (repeatable or comma-separated; `dev.frontend` as GROUP prints it)' -r
complete -c theseus -n "__fish_theseus_using_subcommand history" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand history" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand history" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand history" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand history" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand history" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand history" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand history" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand history" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand history" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand history" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand history" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand history" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand history" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand history" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand history" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand history" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand history" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand history" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand history" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand history" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand history" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand history" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand history" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -s l -l label -d 'The group\'s labels (repeatable or comma-separated; `dev.frontend` as GROUP prints it)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l to -d 'The revision to go back to (default: the newest one before the current)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l batch -d 'Instances per batch: a count or a percentage of the instances (`2`, `25%`)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l wait -d 'Pause between batches' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l max-unavailable -d 'How far below `instances` the healthy count may drop (`0`, `1`, `10%`)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l min-healthy -d 'How long a new task must stay healthy before it counts (an app without health checks: at least the poll interval)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l deadline -d 'How long one batch may take to become healthy (then the rollout fails)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l lock-timeout -d 'Wait this long for another theseus changing the same group to finish (then exit 6)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l poll-interval -d 'How often to poll Marathon' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l fail-after -d 'Fail when new tasks cannot be placed (or keep failing) for this long' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -s m -l message -d 'A message recorded with the revision (default: `rollback to REV`)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l no-rollback -d 'Leave a failed rollout as it is instead of rolling back (exit 4)'
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l dry-run -d 'Print the batches and change nothing'
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand rollback" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand scale" -s l -l label -d 'The group\'s labels (repeatable or comma-separated; `dev.frontend` as GROUP prints it)' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -s n -l instances -d 'The new number of instances' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l timeout -d 'Give up waiting after this long (exit 5)' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l poll-interval -d 'How often to poll Marathon while waiting' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l fail-after -d 'Fail when Marathon cannot place the tasks (or new ones keep failing) for this long; a create or scale-up that fails so is undone (exit 3, or 4 if the undo fails)' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l lock-timeout -d 'Wait this long for another theseus changing the same group to finish (then exit 6)' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand scale" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l force -d 'Scale even while a Marathon deployment holds the group: Marathon cancels that deployment (its tasks stay as they are) and runs the scale instead'
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l no-wait -d 'Return as soon as Marathon accepted the change'
complete -c theseus -n "__fish_theseus_using_subcommand scale" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand scale" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand scale" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand scale" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand scale" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand remove" -s f -l file -d 'A spec file whose groups to remove, repeatable; `-` is standard input' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand remove" -s l -l label -d 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -s s -l service -d 'With a spec file: only these services' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l timeout -d 'Give up waiting after this long (exit 5)' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l poll-interval -d 'How often to poll Marathon while waiting' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l fail-after -d 'Fail when Marathon cannot place the tasks (or new ones keep failing) for this long; a create or scale-up that fails so is undone (exit 3, or 4 if the undo fails)' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l lock-timeout -d 'Wait this long for another theseus changing the same group to finish (then exit 6)' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand remove" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l all -d 'Allow removing a whole service, or every group of a spec file, without a label selection'
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l dry-run -d 'Show what would be removed and change nothing (needs no --all)'
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l force -d 'Remove even while a Marathon deployment holds the group (cancels it)'
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l ignore-not-found -d 'Succeed (exit 0) when nothing matches: removing what is already gone'
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l no-wait -d 'Return as soon as Marathon accepted the change'
complete -c theseus -n "__fish_theseus_using_subcommand remove" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand remove" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand remove" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand remove" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand view" -s l -l label -d 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)' -r
complete -c theseus -n "__fish_theseus_using_subcommand view" -l poll-interval -d 'How often --watch polls Marathon (`--interval` is an old name for it)' -r
complete -c theseus -n "__fish_theseus_using_subcommand view" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand view" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand view" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand view" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand view" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand view" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand view" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand view" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand view" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand view" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand view" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand view" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand view" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand view" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand view" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand view" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand view" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand view" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand view" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand view" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand view" -l wide -d 'Add hosts and ports to the table (the same as `-o wide`)'
complete -c theseus -n "__fish_theseus_using_subcommand view" -l containers -d 'List each container (task) with host:port instead of one row per group'
complete -c theseus -n "__fish_theseus_using_subcommand view" -l watch -d 'Refresh until Ctrl-C, which exits 130 (with `-o json`: one compact JSON document per line per refresh)'
complete -c theseus -n "__fish_theseus_using_subcommand view" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand view" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand view" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand view" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand view" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -s l -l label -d 'Only groups having every label given (repeatable or comma-separated; `!label` excludes)' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l exec -d 'Run CMD with `sh -c` at start and after each change, with the list as one JSON array on its stdin (its output goes to stderr); keeps running like --watch. A failing CMD is reported and run again at the next change' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l debounce -d 'With --watch or --exec: how long the list must stay unchanged before it is printed or CMD runs, so a burst of changes (a rollout\'s batch) gives one update' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l max-drop -d 'With --watch or --exec: hold back a change that would take more than N% of a group\'s endpoints away at once (a warning on stderr) until it persists for --debounce twice more, then apply it; a drop that goes away meanwhile is never applied' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l fresh-within -d 'Exit 8, printing nothing, unless a `theseus sync` leader confirmed the registrations of the namespaces shown within DURATION (such as `30s`); not with --watch or --exec' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l watch -d 'Keep running and print the list again each time it changes (an etcd watch, no polling) until Ctrl-C, which exits 130; with `-o json`, one compact JSON array per line'
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand endpoints" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand logs" -s l -l label -d 'The group\'s labels (repeatable or comma-separated)' -r
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l tail -d 'The last N lines of each file (default: every line, as `kubectl logs`), read backwards from the end, never the whole file' -r
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l task -d 'Only this task (its id, or the short form the prefix shows)' -r
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l poll-interval -d 'How often --follow reads the files again (and looks for new tasks every few reads)' -r
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand logs" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l stderr -d 'Only the standard error of the tasks (default: standard output and error)'
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l stdout -d 'Only the standard output of the tasks (default: standard output and error)'
complete -c theseus -n "__fish_theseus_using_subcommand logs" -s f -l follow -d 'Keep printing new lines as the tasks write them, and the lines of the group\'s tasks that start meanwhile, until Ctrl-C, which exits 130'
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l previous -d 'The group\'s last failed task (Marathon\'s `lastTaskFailure`), whose sandbox the Mesos agent keeps until its garbage collection'
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l no-prefix -d 'Print the lines as they are, without the `[TASK] ` prefix'
complete -c theseus -n "__fish_theseus_using_subcommand logs" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand logs" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand logs" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand logs" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l lock-timeout -d 'With --once: wait this long for groups locked by a running command (then exit 6)' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l resync -d 'Besides reconciling on start and on every reconnect, reconcile this often' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l timeout -d 'How long etcd and Marathon may stay unreachable at start before sync gives up (exit 1)' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l lease-ttl -d 'The leader\'s lease TTL: another replica takes over this soon after the leader dies' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l idle-timeout -d 'Reconnect an event stream that stays silent this long (Marathon sends a heartbeat every 10 s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l name -d 'This replica\'s name in the leader election (default: host name and process id)' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l listen -d 'Serve /metrics (Prometheus), /healthz and /readyz on this address (e.g. 127.0.0.1:9464, 0.0.0.0:$PORT0)' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l stuck-after -d '/healthz answers 503 (and the systemd watchdog stops) once a reconcile or a group\'s refresh runs this long: each of their requests is bounded by --request-timeout' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand sync" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l once -d 'Reconcile once, print what changed and exit (for cron, CI, or a repair by hand)'
complete -c theseus -n "__fish_theseus_using_subcommand sync" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand sync" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand sync" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand sync" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand local" -l agents -d 'Number of simulated agents' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l port -d 'Port to serve on (127.0.0.1); 0 picks a free one' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l agent-attributes -d 'Agent attributes, `AGENT:key=value;key=value` (agent index from 1), repeatable' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l agent-cpus -d 'CPUs per agent' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l agent-mem -d 'Memory per agent, MiB' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l agent-disk -d 'Disk per agent, MiB' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l agent-ports -d 'Host port range offered by each agent, `LOW-HIGH`' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l state -d 'File where the engine keeps its app definitions across restarts' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand local" -l work-dir -d 'Directory for task sandboxes (default: a temporary directory)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand local" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand local" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand local" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand local" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand local" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand local" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand local" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand local" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand local" -l disable-metrics-prometheus -d 'Answer `/metrics/prometheus` with 404, as Marathon\'s `--disable_metrics_prometheus` (`/metrics` JSON stays)'
complete -c theseus -n "__fish_theseus_using_subcommand local" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand local" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand local" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand local" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand local" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l marathon -d 'Marathon base URL; several (comma-separated) fail over in order' -r
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l marathon-user -d 'Marathon HTTP basic-auth user' -r
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l marathon-password -d 'Marathon HTTP basic-auth password' -r
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l marathon-token -d 'Marathon bearer token (DC/OS ACS token)' -r
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l marathon-ca -d 'PEM file with a CA certificate to trust for Marathon' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l mesos -d 'Mesos master base URL, for reading task sandboxes (`logs`); default: the leading master Marathon\'s /v2/info names. Marathon\'s credentials and CA are used for it too' -r
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l log-lines -d 'When a rollout, create or scale fails, show this many last lines of the failed tasks\' stderr and stdout (of up to 3 tasks, read from their Mesos sandboxes; 0: none)' -r
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l etcd -d 'etcd endpoints, HOST:PORT or URLs, comma-separated' -r
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l etcd-user -d 'etcd user (with --etcd-password)' -r
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l etcd-password -d 'etcd password' -r
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l etcd-ca -d 'PEM file with the CA certificate of etcd\'s TLS endpoints' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l etcd-cert -d 'PEM client certificate for etcd (with --etcd-key)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l etcd-key -d 'PEM client key for etcd (with --etcd-cert)' -r -F
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l etcd-prefix -d 'Root prefix under which /services lives, so namespaces can share one etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l namespace -d 'Marathon path prefix of the groups. The flag overrides a spec\'s `namespace`; the environment variable must agree with it (exit 2 otherwise)' -r
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l request-timeout -d 'Timeout for connecting to and each request to Marathon and etcd' -r
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l lock-ttl -d 'How long the group locks of a theseus that died (kill -9, lost host) outlive it: the lease TTL of each lock, kept alive while the holder runs (at least 2s)' -r
complete -c theseus -n "__fish_theseus_using_subcommand completions" -s o -l output -d 'Format of the result on stdout (`jsonl` adds a rollout\'s events there as they happen); progress and messages always go to stderr' -r -f -a "table\t'Aligned columns for humans (long cells cut to fit a terminal, never in a pipe)'
wide\t'The table with every column (hosts, ports, ids), nothing cut'
json\t'One JSON document for scripts'
jsonl\t'JSON Lines: a rollout\'s events as they happen, then its result; else one row a line'
name\t'One name per line (`service/group`), for scripts and other theseus commands'"
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l color -d 'When to use colors' -r -f -a "auto\t'Color when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t'Always color'
never\t'Never color'"
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l log-format -d 'How stderr is written: `json` makes every line one JSON object (logs, status lines, warnings and the final error), for log shippers' -r -f -a "text\t'Lines for humans'
json\t'One JSON object a line: `timestamp`, `level`, `target`, `message` and the fields'"
complete -c theseus -n "__fish_theseus_using_subcommand completions" -l no-headers -d 'Leave out the header row of tables (for scripts reading `table` or `wide` output)'
complete -c theseus -n "__fish_theseus_using_subcommand completions" -s q -l quiet -d 'Print only results and errors: no status lines, no progress'
complete -c theseus -n "__fish_theseus_using_subcommand completions" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug logs and backtraces)'
complete -c theseus -n "__fish_theseus_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c theseus -n "__fish_theseus_using_subcommand completions" -s V -l version -d 'Print version'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "render" -d 'Print the Marathon app definitions of the selected groups, offline'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "validate" -d 'Check a spec file completely, offline; every error is reported at once'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "plan" -d 'Show what create/update/remove would do, against the live state'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "create" -d 'Create the selected groups that do not exist yet, wait until healthy, register them'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "update" -d 'Roll groups forward to the spec: create, scale in place, or roll in batches'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "restart" -d 'Replace every task of one group in batches, with no spec change'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "rollout" -d 'Show, resume or abort a group\'s interrupted rollout (journaled in etcd)'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "history" -d 'List the revisions deployed to a group, newest first, marking the current one'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "rollback" -d 'Roll a group back to its previous revision (or `--to REV`), in batches like `update`'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "scale" -d 'Scale one group in place (no restart), wait, register'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "remove" -d 'Remove groups: deregister containers, delete the Marathon apps, clear etcd'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "view" -d 'Show what is deployed where: one row per labeled group, filtered by label'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "endpoints" -d 'List the registered containers of a service\'s groups, read from etcd'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "logs" -d 'Print the output (stdout and stderr) of a group\'s tasks, read from the Mesos agents'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "sync" -d 'Keep etcd equal to Marathon\'s running, healthy tasks; `--once` repairs and exits'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "local" -d 'Run a local Marathon-compatible engine on loopback'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c theseus -n "__fish_theseus_using_subcommand help; and not __fish_seen_subcommand_from render validate plan create update restart rollout history rollback scale remove view endpoints logs sync local completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c theseus -n "__fish_theseus_using_subcommand help; and __fish_seen_subcommand_from rollout" -f -a "status" -d 'Show a group\'s journaled rollout beside where its revisions stand (exit 2: none)'
complete -c theseus -n "__fish_theseus_using_subcommand help; and __fish_seen_subcommand_from rollout" -f -a "pause" -d 'Hold a rollout before its next batch, until `rollout resume`'
complete -c theseus -n "__fish_theseus_using_subcommand help; and __fish_seen_subcommand_from rollout" -f -a "resume" -d 'Continue a paused or interrupted rollout'
complete -c theseus -n "__fish_theseus_using_subcommand help; and __fish_seen_subcommand_from rollout" -f -a "promote" -d 'Promote a canary: the remaining batches follow (with `--full`, without the gates and pauses left)'
complete -c theseus -n "__fish_theseus_using_subcommand help; and __fish_seen_subcommand_from rollout" -f -a "abort" -d 'Stop a rollout and roll it back: old revision to full healthy capacity, then the new one drained and deleted'
