/** Help texts, one per command, each with examples; printed by --help and `spa-client help COMMAND`. @module */

const KNOCK_OPTIONS = `  --host HOST             profile name, DNS name or IP address of the server (required)
  --server-key KEY        the server's public key, spa-x25519:… (default: from the profile)
  --spa-port PORT         the server's SPA port, UDP (default: profile, else 62201)
  --key FILE              private key file; "-" reads it from stdin (default: SPA_PRIVATE_KEY, then
                          the profile's keyFile); files readable by group or others are refused
  --allow-ip MODE         which address to sign and open for, repeatable or comma-separated.
                          Default: per family, the local address the route to HOST uses when it
                          and HOST's address are both global or both private (LAN, VPN); else
                          the public address --discover finds (none configured: an error, exit 78)
                            auto            the local address the route to HOST uses, always
                            stun=H:P,stun=H:P  the public address two STUN servers agree on
                            https://URL     the public address an HTTPS address echo reports
                            ADDRESS         an explicit IPv4 or IPv6 address
                            source          sign none: the server opens the packet's source
                                            (anyone who captures the knock can use it first)
  --discover SOURCE       where the default finds the public address: https://URL (its body is
                          the address as text) and/or two or more stun=HOST:PORT that must agree;
                          repeatable (default: the profile's discover)
  --discover-ca FILE      PEM CA certificates to trust for https:// discovery, besides the system's
  -4, -6                  use only IPv4 / IPv6 addresses of HOST
  --time-offset OFFSET    add OFFSET to the signed time, for a server clock known to be off:
                          seconds or with a unit, -90, +2m, 1h (default: the profile's timeOffset)
  -c, --config FILE       profile file (default: $SPA_CONFIG, then ~/.config/spa/config.json)
  --json                  print one JSON object on stdout (shape: see README)
  -v, --verbose           explain what happens on stderr; stack traces on errors
  -h, --help              this help`;

export const HELP: Readonly<Record<string, string>> = {
  main: `Usage: spa-client COMMAND [options]

Single Packet Authorization client: one signed UDP datagram asks the server to open a port for you.

Commands:
  open ACCESS...     ask for access (ACCESS: a service name such as ssh, or tcp/PORT, udp/PORT)
  close ACCESS...    give access back before it expires
  connect            knock, wait, then relay stdin/stdout to the port (for ssh ProxyCommand)
  agent              stay resident with the keys loaded; ssh reaches it through nc (fast ProxyCommand)
  keygen --out FILE  create a client key pair
  profile add|list|show  manage the profile file (add: merge spa-server client-config output)
  help [COMMAND]     show help for a command

Options (before or after the command):
  -c, --config FILE  profile file (default: $SPA_CONFIG, then ~/.config/spa/config.json)
  -v, --verbose      explain what happens on stderr; stack traces on errors
  -h, --help; -V, --version

Examples:
  spa-client keygen --out ~/.config/spa/client.key
  spa-server client-config alice --host vpn.example.com | spa-client profile add
  spa-client open ssh --host vpn.example.com --wait
  spa-client open tcp/5432 --host 203.0.113.10 --server-key spa-x25519:… --key ~/.config/spa/client.key
  ssh -o 'ProxyCommand spa-client connect --host %h --port %p' vpn.example.com

Exit codes: 0 ok, 64 usage, 65 key, 68 unknown host, 69 network/discovery, 70 internal,
73 cannot create, 74 connection lost, 75 --wait timed out, 76 discovery sources disagree,
78 profile/config or no discovery configured.`,

  open: `Usage: spa-client open [ACCESS...] --host HOST [options]

Sends one signed, sealed knock asking the server to open ACCESS for your address. Without ACCESS,
asks for the profile's services. The server never answers; use --wait to know when it worked.

Options:
${KNOCK_OPTIONS}
  --port PORT             the TCP port to open, as for connect: without ACCESS, the profile's service
                          that has tcp/PORT, else tcp/PORT; with ACCESS, the port --wait probes
  --duration SECONDS      how long access should last (default: profile, else the server's default)
  --wait                  probe the TCP ports until they accept a connection (ports of service
                          names come from the profile's services map); re-knocks with fresh packets
  --timeout SECONDS       give up waiting after this long (default 10), exit 75
  --dry-run               show the request that would be sent and send nothing

Examples:
  spa-client open ssh --host vpn.example.com --wait
  spa-client open tcp/22 tcp/443 --host 203.0.113.10 --server-key spa-x25519:… --key ./ci.key
  SPA_PRIVATE_KEY="$KEY" spa-client open ssh --host vpn.example.com --discover https://ip.example.net/ --wait --json
  spa-client open tcp/5432 --host db.example.com --allow-ip 198.51.100.7,2001:db8::7 --duration 3600
  spa-client open ssh --host vpn.example.com --dry-run --json`,

  close: `Usage: spa-client close [ACCESS...] --host HOST [options]

Sends a signed close request: the server removes the access it granted to the same addresses.

Options:
${KNOCK_OPTIONS}
  --port PORT             the TCP port to close, as for open (without ACCESS only)
  --dry-run               show the request that would be sent and send nothing

Examples:
  spa-client close ssh --host vpn.example.com
  spa-client close tcp/22 --host 203.0.113.10 --allow-ip auto --json`,

  connect: `Usage: spa-client connect --host HOST --port PORT [ACCESS...] [options]

For ssh's ProxyCommand: knocks, waits until HOST:PORT accepts a TCP connection (re-knocking with
fresh packets), then relays stdin and stdout to it. Nothing else is ever written to stdout.
Without ACCESS it asks for the profile service that has tcp/PORT, else for tcp/PORT itself.

Options:
  --host HOST             the host to connect to (ssh's %h); looked up in the profile
  --port PORT             the TCP port to connect to (ssh's %p) (required)
  --spa-port PORT         the server's SPA port, UDP (default: profile, else 62201)
  --server-key KEY, --key FILE, --allow-ip MODE, --discover SOURCE, --discover-ca FILE,
  -4, -6, --time-offset OFFSET, -c/--config FILE: as for open
                          (--key - is refused: stdin carries the connection)
  --duration SECONDS      how long access should last
  --timeout SECONDS       give up connecting after this long (default 10), exit 75
  -v, --verbose           progress on stderr

~/.ssh/config:
  Host vpn.example.com
      ProxyCommand spa-client connect --host %h --port %p

Exit codes: 0 when the connection ended normally, 74 when it broke, 75 when it never opened.

Examples:
  ssh -o 'ProxyCommand spa-client connect --host %h --port %p' vpn.example.com
  spa-client connect --host db.example.com --port 5432 --allow-ip auto`,

  agent: `Usage: spa-client agent [--socket PATH] [--timeout SECONDS] [-c FILE] [-v]
       spa-client agent --print-ssh-config HOST [--socket PATH]

Runs in the foreground (under systemd --user, see README) with the profile and its keys loaded, and
serves a Unix socket: a stream that sends the line "connect HOST PORT" gets the knock, the wait and
the connection exactly as spa-client connect --host HOST --port PORT would, then carries it. Beside
it, SOCKET.HASH.PORT for each profile host and port (22 and its services' tcp ports) does the same
with no line. Only hosts of the profile are served; a refused stream is closed without a word (the
agent logs why). The printed ProxyCommand is OpenBSD nc alone: no Node starts per connection.

Options:
  --socket PATH           the socket (default: $XDG_RUNTIME_DIR/spa-client/agent.sock, else
                          ~/.config/spa/agent/agent.sock); its directory must be yours, mode 0700
  --timeout SECONDS       give up on a port that does not open after this long (default 10)
  --print-ssh-config HOST print the ~/.ssh/config lines that reach HOST (a profile host name, no
                          wildcards) through this agent, and exit; they replace any ProxyCommand
                          you already have for HOST
  -c, --config FILE       profile file, read once at start (restart the agent after changing it)
  -v, --verbose           each knock and connection on stderr

Examples:
  spa-client agent
  spa-client agent --print-ssh-config vpn.example.com`,

  keygen: `Usage: spa-client keygen --out FILE [--comment TEXT] [--json]

Creates an Ed25519 client key: FILE (the private key, mode 0600, never overwritten) and FILE.pub.
Prints the public key, spa-ed25519:…, as the only line on stdout: give it to the server's admin.

Options:
  --out FILE              where to write the private key (required); parent directories are
                          created with mode 0700
  --comment TEXT          a comment for FILE.pub (e.g. alice@laptop)
  --json                  print {"publicKey", "keyFile", "publicKeyFile", "keyId"} instead

Examples:
  spa-client keygen --out ~/.config/spa/client.key
  spa-client keygen --out ./ci.key --comment github-actions --json`,
  profile: `Usage: spa-client profile add [FILE] [--force] | list | show NAME [options]

The profile file holds one entry per server (spa-server client-config prints them).

Commands:
  add [FILE]              merge the hosts of FILE (default, or "-": stdin) into the profile file;
                          an entry that exists is left alone, and nothing is written, without --force
  list                    one line per entry: name, host, port, services; a broken entry says why
  show NAME               the entry for NAME (an entry name or its host) as JSON

Options:
  --force                 add: replace entries that exist
  -c, --config FILE       profile file (default: $SPA_CONFIG, then ~/.config/spa/config.json)
  --json                  add: {"profile", "added", "replaced"}; list: {"profile", "hosts": [...]};
                          show: the entry on one line

The file is written whole (a temporary file renamed over it) with mode 0600.
Exit codes: 0 ok, 64 usage, 68 no such entry, 73 entry exists (add without --force) or cannot
write, 78 the file or FILE is not a valid profile.

Examples:
  spa-server client-config alice --host vpn.example.com | spa-client profile add
  spa-client profile add alice.json --force
  spa-client profile list
  spa-client profile show vpn.example.com`,
};
