// Package abi is the contract between the host and its Wasm plugins: the
// names both sides link against, the JSON shapes they exchange, and the ABI
// version that says which of those a plugin was built for.
//
// Host and guest both import this package, so it holds only constants and
// plain types, and imports nothing outside the standard library.
//
// # Transport
//
// Plugins use the Extism ABI (https://extism.org/docs/concepts/pdk): the
// call's input, and the documents of FuncHTTPRequest and FuncLog, cross the
// boundary as blocks of bytes in the Extism kernel's memory, named by a 64-bit
// offset. The direct functions (FuncHTTPSend, FuncHTTPRecv, FuncOutput) move
// theirs through the guest's own linear memory instead, in one copy each;
// this project's Go kit uses them.
//
// # Exports (guest → host)
//
// A plugin exports two functions with the Extism signature () -> i32:
//
//	wasmcp_describe  input: empty            output: Descriptor
//	wasmcp_call      input: CallRequest      output: CallResult
//
// A return code other than 0, an Extism error_set, a trap, or an output that
// is not the JSON expected is a plugin failure: the host reports it to the
// model as a tool error and discards the instance.
//
// # Imports (host → guest)
//
// The host offers these functions in module HostModule. Each takes the offset
// of a JSON document the guest stored with the kernel's alloc/store, and the
// ones with a result return the offset of a JSON document the guest reads with
// the kernel's length/load:
//
//	wasmcp_http_request(req i64) -> (resp i64)   HTTPRequest  → HTTPResponse
//	wasmcp_log(rec i64)                          LogRecord
//	wasmcp_progress(rec i64)                     ProgressRecord
//
//	wasmcp_http_send(req_ptr i32, req_len i32) -> (lens i64)
//	wasmcp_http_recv(head_ptr i32, body_ptr i32) -> (ok i32)
//	wasmcp_output(ptr i32, len i32) -> (ok i32)
//
// The last three read and write the guest's own memory directly; see
// FuncHTTPSend. A host function never traps on bad input: a malformed request
// yields an HTTPResponse whose Error is set (ErrBadRequest).
//
// # Worked example
//
// A guest asks for its user's GitHub profile:
//
//	→ {"method":"GET","url":"https://api.github.com/user",
//	   "headers":{"Accept":"application/vnd.github+json"}}
//	← {"status":200,"headers":{"Content-Type":"application/json"},
//	   "body":"{\"login\":\"octocat\"}"}
//
// The host added "Authorization: Bearer <token>" on the way out; the guest
// never saw the token.
package abi

// Version is the ABI version this package describes. A plugin reports the
// version it was built for in Descriptor.ABIVersion; the host refuses a plugin
// whose version it does not support, naming both.
const Version = 1

// HostModule is the Wasm import module of the host functions. It is Extism's
// namespace for user host functions, so any Extism PDK can import them.
const HostModule = "extism:host/user"

// Names of the functions the host offers in HostModule.
const (
	// FuncHTTPRequest performs an HTTP request for the guest: (i64) -> i64.
	FuncHTTPRequest = "wasmcp_http_request"
	// FuncLog writes one LogRecord to the host's log: (i64) -> ().
	FuncLog = "wasmcp_log"
	// FuncProgress reports the progress of the current call, one
	// ProgressRecord: (i64) -> (). Added to ABI version 1 without a new
	// version: a plugin that does not import it is served as before.
	FuncProgress = "wasmcp_progress"

	// The direct functions move bytes between the host and the guest's own
	// linear memory (its exported "memory") in one copy each, instead of
	// through Extism kernel blocks eight bytes per kernel call; bodies cross
	// as raw bytes, not as JSON-escaped strings. Offsets and lengths are
	// i32. A guest may use them or the block functions above, or both.

	// FuncHTTPSend performs an HTTPRequest read from guest memory:
	// (req_ptr i32, req_len i32) -> (lens i64). The response is held by the
	// host until FuncHTTPRecv; lens is head_len<<32 | body_len, where the
	// head is the JSON HTTPResponse with Body left empty, and the body its
	// raw bytes.
	FuncHTTPSend = "wasmcp_http_send"
	// FuncHTTPRecv copies the held response into guest memory, the head at
	// head_ptr and the body at body_ptr, each as long as FuncHTTPSend said:
	// (head_ptr i32, body_ptr i32) -> (ok i32). ok is 0 when no response
	// is held or the ranges lie outside memory; the response is dropped
	// either way.
	FuncHTTPRecv = "wasmcp_http_recv"
	// FuncOutput sets the CallResult of the current wasmcp_call from guest
	// memory: (ptr i32, len i32) -> (ok i32). It takes the place of the
	// Extism output, which the host then ignores. An output longer than the
	// plugin's output limit fails the call. ok is 0 when the host could not
	// take it (no call in progress, no access to guest memory): the guest
	// then sets the Extism output instead.
	FuncOutput = "wasmcp_output"
)

// Names of the functions a plugin exports.
const (
	// ExportDescribe returns the plugin's Descriptor.
	ExportDescribe = "wasmcp_describe"
	// ExportCall runs one tool: CallRequest in, CallResult out.
	ExportCall = "wasmcp_call"
)

// Descriptor is what a plugin says about itself when loaded.
type Descriptor struct {
	// ABIVersion is the Version the plugin was built against.
	ABIVersion int `json:"abi_version"`
	// Name identifies the plugin; unique within a host.
	Name string `json:"name"`
	// Version is the plugin's own version, for operators.
	Version string `json:"version"`
	// Provider is the OAuth provider whose token the plugin's tools use
	// ("github", "reddit", ...). It must match the providerId of each call.
	// A plugin with no Provider and no Hosts is local: its tools compute
	// from their arguments alone, and the host runs them without _meta and
	// without a token exchange. (Added to ABI version 1: a host that
	// predates it refuses such a plugin.)
	Provider string `json:"provider"`
	// Hosts are the base URLs ("https://api.github.com") the plugin may
	// reach. Requests to them carry the provider's token; every other host is
	// refused.
	Hosts []string `json:"hosts"`
	// Tools are the MCP tools the plugin serves.
	Tools []Tool `json:"tools"`
}

// Tool describes one MCP tool.
//
// OutputSchema and Annotations were added to ABI version 1 without a new
// version: they are optional, a host that predates them ignores them, and
// a plugin that omits them is served as before (no outputSchema, and
// "annotations": {} in tools/list).
type Tool struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// InputSchema is a JSON Schema object for the tool's arguments. The host
	// validates every call's arguments against it before the plugin runs.
	InputSchema map[string]any `json:"inputSchema"`
	// OutputSchema, when set, is a JSON Schema object ("type": "object")
	// for the tool's result, CallResult.Content. The host lists it as the
	// tool's outputSchema and validates every result that is not an error
	// against it before answering: a result that does not match is a tool
	// error naming the mismatch, which the model reads.
	OutputSchema map[string]any `json:"outputSchema,omitempty"`
	// Annotations, when set, are the tool's MCP annotations, passed to
	// clients as they are.
	Annotations *Annotations `json:"annotations,omitempty"`
}

// Annotations are hints about a tool's behaviour, for MCP clients (which
// may, for instance, run a read-only tool without asking first). They are
// MCP's ToolAnnotations, spelt as MCP spells them. A hint left nil is not
// stated, and a client assumes MCP's default for it: not read-only,
// destructive, not idempotent, open world. Hints are not enforced: the
// host's sandbox is what limits a plugin.
type Annotations struct {
	// Title is a short name for people, shown instead of the tool's name.
	Title string `json:"title,omitempty"`
	// ReadOnlyHint: the tool does not change its environment.
	ReadOnlyHint *bool `json:"readOnlyHint,omitempty"`
	// DestructiveHint: the tool may delete or overwrite (meaningful only
	// when it is not read-only).
	DestructiveHint *bool `json:"destructiveHint,omitempty"`
	// IdempotentHint: calling it again with the same arguments has no
	// further effect (meaningful only when it is not read-only).
	IdempotentHint *bool `json:"idempotentHint,omitempty"`
	// OpenWorldHint: the tool reaches entities outside the host, such as a
	// web API.
	OpenWorldHint *bool `json:"openWorldHint,omitempty"`
}

// CallRequest asks a plugin to run one tool. It carries the tool arguments
// only: never the caller's _meta, user token or access token.
type CallRequest struct {
	Tool      string         `json:"tool"`
	Arguments map[string]any `json:"arguments"`
}

// CallResult is a tool's answer.
type CallResult struct {
	// Content is the tool's structured result, a JSON object. The host sends
	// it to the client as text and as structuredContent, once it matches
	// the tool's OutputSchema, if the tool declared one.
	Content map[string]any `json:"content,omitempty"`
	// IsError marks a tool failure that the model should read; Message says
	// what happened.
	IsError bool   `json:"isError,omitempty"`
	Message string `json:"message,omitempty"`
	// Blocks are MCP content blocks sent beside Content: text, images,
	// audio, resource links and embedded text resources (see
	// ContentBlock). Content stays the primary result; a result whose
	// Content is empty and whose tool declares no OutputSchema may carry
	// blocks only. The host ignores Blocks of an error result. Added to
	// ABI version 1 without a new version: a host that predates them
	// ignores them.
	Blocks []ContentBlock `json:"blocks,omitempty"`
}

// Types of ContentBlock, as MCP spells them.
const (
	BlockText         = "text"
	BlockImage        = "image"
	BlockAudio        = "audio"
	BlockResourceLink = "resource_link"
	BlockResource     = "resource" // an embedded text resource
)

// ContentBlock is one MCP content block of a CallResult. Which fields
// apply depends on Type:
//
//	text           Text
//	image, audio   Data (standard base64, padded), MIMEType ("image/png", "audio/wav")
//	resource_link  URI, Name; optionally MIMEType, Title, Description
//	resource       URI, MIMEType, Text: an embedded text resource
//
// The host scrubs and bounds every field, and refuses a result with a
// block it cannot send (an unknown Type, bad base64, a MIME type of the
// wrong kind, a media block above the host's size limit, a URI that is not
// absolute) with a tool error that names the block.
type ContentBlock struct {
	Type        string `json:"type"`
	Text        string `json:"text,omitempty"`
	Data        string `json:"data,omitempty"`
	MIMEType    string `json:"mimeType,omitempty"`
	URI         string `json:"uri,omitempty"`
	Name        string `json:"name,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// HTTPRequest is the input of FuncHTTPRequest.
type HTTPRequest struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	// Headers to send. The host refuses (ErrHeaderNotAllowed) those it
	// sets or owns, in any letter case: Authorization, Proxy-Authorization,
	// Cookie and Cookie2 (the host alone authenticates requests); Host;
	// Connection, Keep-Alive, TE, Trailer, Transfer-Encoding and Upgrade
	// (hop-by-hop); Content-Length; Accept-Encoding (bodies come back
	// decoded); Range and If-Range (bodies come back whole); and any
	// Proxy-* header.
	Headers map[string]string `json:"headers,omitempty"`
	// Body is sent as is (UTF-8 text).
	Body string `json:"body,omitempty"`
	// Select, when set, is a GJSON path (github.com/tidwall/gjson syntax,
	// modifiers refused) that the host evaluates natively on a 2xx JSON response:
	// Body is then the selected JSON, and HTTPResponse.Selected is true. A
	// plugin that needs a few fields of a large document asks for them here
	// and decodes kilobytes instead of hundreds of them. For example
	// "#.{full_name,owner:owner.login}" turns an array of repositories into
	// an array of two-field objects. At most MaxSelect bytes.
	Select string `json:"select,omitempty"`
}

// MaxSelect caps HTTPRequest.Select.
const MaxSelect = 4 << 10

// HTTPResponse is the output of FuncHTTPRequest. When Error is set the
// request was not performed or did not complete, and Status is 0.
type HTTPResponse struct {
	Status int `json:"status"`
	// Headers of the response; repeated headers are joined with ", ".
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
	// Selected reports that Body is the result of the request's Select; it
	// is false when the request had none, or the response was not a 2xx
	// JSON document, whose Body is then the API's own.
	Selected bool `json:"selected,omitempty"`
	// Error is one of the Err* codes; ErrorMessage explains it.
	Error        string `json:"error,omitempty"`
	ErrorMessage string `json:"error_message,omitempty"`
}

// Error codes of HTTPResponse.Error.
const (
	// ErrBadRequest: a malformed or oversized request document, method,
	// URL, header, body or Select; a URL with userinfo (user:pw@), or with
	// a "." or ".." path segment, also percent-encoded or behind an encoded
	// slash ("%2e%2e", "a%2F..%2Fb").
	ErrBadRequest = "bad_request"
	// ErrHostNotAllowed: the URL is under none of the plugin's declared
	// Hosts, or the request was made outside a tool call.
	ErrHostNotAllowed = "host_not_allowed"
	// ErrHeaderNotAllowed: a header the host owns (see HTTPRequest.Headers).
	ErrHeaderNotAllowed = "header_not_allowed"
	// ErrTooManyRequests: the per-call request budget is spent.
	ErrTooManyRequests = "too_many_requests"
	// ErrResponseTooLarge: the body passed the size cap.
	ErrResponseTooLarge = "response_too_large"
	// ErrTransport: the request did not complete: a DNS, connection, TLS
	// or timeout failure, a dial to a private address refused, a redirect
	// loop (more than 5 redirects), a response in an encoding the host does
	// not decode (which would hide an echoed token from its scrubber), or
	// no usable token for the call.
	ErrTransport = "transport"
)

// ProgressRecord is the input of FuncProgress. When the client asked for
// progress (a progressToken in the call's _meta), the host sends it as
// notifications/progress; otherwise it drops it. Progress must increase
// from one record to the next: the host drops a record whose Progress is
// not above the last one sent, as well as records past its rate limit.
type ProgressRecord struct {
	// Progress is the work done so far, in any unit.
	Progress float64 `json:"progress"`
	// Total is the work there is in all, in the same unit; 0 when unknown.
	Total float64 `json:"total,omitempty"`
	// Message says what the call is doing, for people; optional. The host
	// scrubs it and cuts it to its limit.
	Message string `json:"message,omitempty"`
}

// LogRecord is the input of FuncLog.
type LogRecord struct {
	// Level is "debug", "info", "warn" or "error".
	Level   string `json:"level"`
	Message string `json:"message"`
}
