package host

import "time"

// The host's fixed limits on what a plugin supplies, in one place. The
// operator's per-call limits (Limits, in config.go) come on top of these;
// README.md, "Limits", lists both.
//
// A plugin's strings, descriptor and results end up in front of an MCP
// client, so they are bounded below what real clients accept. The official
// Go SDK client (github.com/modelcontextprotocol/go-sdk v1.8.0) refuses JSON
// nested deeper than 1,000 levels (internal/json: defaultMaxDepth) and, over
// stdio, any message longer than 16 MiB (mcp.DefaultMaxLineLength; its SSE
// reader stops at mcp.DefaultMaxEventSize, 16 MiB too). Past either, it
// drops the session, and with it every other plugin's tools. The limits below
// keep every message the host sends at a quarter of those or less. See
// RATIONALE.md, "Why fixed limits on descriptors and results?".
const (
	// maxJSONDepth caps the nesting of every JSON document a plugin hands
	// the host: its describe output, and each call's result. An object or
	// array counts one level; {"a":[1]} is 2 deep.
	maxJSONDepth = 64

	// maxDescriptorBytes caps a plugin's describe output.
	maxDescriptorBytes = 1 << 20
	// maxTools caps the tools of one plugin, and maxHosts its hosts.
	maxTools = 256
	maxHosts = 32

	// maxVersionBytes caps the plugin's version, maxHostBytes each host
	// (a base URL), maxDescriptionBytes each tool's description. Plugin,
	// provider and tool names have their own patterns (pluginNameRE,
	// toolNameRE in descriptor.go): 64 and 128 bytes.
	maxVersionBytes     = 64
	maxHostBytes        = 256
	maxDescriptionBytes = 16 << 10
	// maxTitleBytes caps a tool's annotations.title, a one-line field.
	maxTitleBytes = 256

	// maxSchemaBytes caps each of a tool's schemas (inputSchema and
	// outputSchema), as JSON; maxSchemaKeyBytes each keyword or property
	// name in one, and maxSchemaStringBytes each string value (a
	// description, a pattern, an enum value...).
	maxSchemaBytes       = 64 << 10
	maxSchemaKeyBytes    = 256
	maxSchemaStringBytes = 4 << 10

	// maxToolsListBytes caps the tools/list answer, all plugins together:
	// a plugin whose tools would take it past the limit is refused.
	maxToolsListBytes = 4 << 20
	// maxResultBytes caps one tool result as sent: its structuredContent
	// and its text, JSON-escaped. A larger result is a tool error. The
	// operator's max_output_bytes (1 MiB by default) caps what the guest
	// writes; this caps what the host sends, whatever that is set to.
	maxResultBytes = 4 << 20

	// maxProblems is how many problems one refusal lists before "and N
	// more".
	maxProblems = 8
	// maxLoadErrorBytes caps the text of a load error (a refusal, or what a
	// failing guest said), in the log and in "host plugins".
	maxLoadErrorBytes = 4 << 10
)

// Load limits: a plugin that breaks one is refused; the others load on.
const (
	// maxPluginBytes caps the size of a .wasm file the host will read.
	maxPluginBytes = 128 << 20
	// describeTimeout bounds the describe call of a plugin being loaded,
	// its instantiation included.
	describeTimeout = 10 * time.Second
	// schemaTimeout bounds the compilation of one plugin's schemas.
	// Within the bounds above it takes milliseconds; the deadline is the
	// backstop.
	schemaTimeout = 5 * time.Second
)
