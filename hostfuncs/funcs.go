package hostfuncs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/telemetry"
)

// maxRequestDocument caps the JSON HTTPRequest read from the guest: the body
// cap plus room for its JSON escaping, the URL and the headers.
const maxRequestDocument = 2*MaxRequestBody + 1<<20

// Options configure New.
type Options struct {
	// Transport sends the requests. nil means the hardened default: no proxy
	// from the environment, TLS 1.2 or later, bounded dial and handshake
	// times, and a dialer that refuses loopback, private, link-local,
	// unspecified, multicast and reserved addresses unless the request goes
	// to an operator-mapped target. A custom Transport (tests) gets no such
	// dial check; policy, redirect and token rules still apply.
	Transport http.RoundTripper
	// UserAgent is sent on requests whose guest set none; "" means
	// DefaultUserAgent.
	UserAgent string
	// Telemetry records each request's metrics and span; nil records none.
	Telemetry *telemetry.Telemetry
}

// Funcs holds the host functions. It keeps no per-call state (that is the
// Call in the context), so one Funcs serves every plugin and call, and is
// safe for concurrent use.
type Funcs struct {
	client    *http.Client
	userAgent string
	tel       *telemetry.Telemetry
}

// New returns the host functions configured by o.
func New(o Options) *Funcs {
	rt := o.Transport
	if rt == nil {
		rt = newDefaultTransport(nil)
	}
	return &Funcs{
		client: &http.Client{
			Transport: rt,
			// exchange follows redirects itself, hop by hop, under the policy.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		userAgent: o.UserAgent,
		tel:       o.Telemetry,
	}
}

// CloseIdleConnections closes the transport's idle connections, for shutdown.
func (f *Funcs) CloseIdleConnections() { f.client.CloseIdleConnections() }

// HostFunctions returns the host functions of abi (FuncHTTPRequest, FuncLog,
// FuncHTTPSend, FuncHTTPRecv, FuncOutput, FuncProgress) in namespace abi.HostModule, to
// pass to extism.NewCompiledPlugin.
func (f *Funcs) HostFunctions() []extism.HostFunction {
	ptr := []extism.ValueType{extism.ValueTypePTR}
	req := extism.NewHostFunctionWithStack(abi.FuncHTTPRequest, f.httpRequest, ptr, ptr)
	req.SetNamespace(abi.HostModule)
	log := extism.NewHostFunctionWithStack(abi.FuncLog, f.log, ptr, nil)
	log.SetNamespace(abi.HostModule)
	i32, i64 := extism.ValueType(api.ValueTypeI32), extism.ValueType(api.ValueTypeI64)
	send := extism.NewHostFunctionWithStack(abi.FuncHTTPSend, f.httpSend, []extism.ValueType{i32, i32}, []extism.ValueType{i64})
	send.SetNamespace(abi.HostModule)
	recv := extism.NewHostFunctionWithStack(abi.FuncHTTPRecv, f.httpRecv, []extism.ValueType{i32, i32}, []extism.ValueType{i32})
	recv.SetNamespace(abi.HostModule)
	out := extism.NewHostFunctionWithStack(abi.FuncOutput, f.output, []extism.ValueType{i32, i32}, []extism.ValueType{i32})
	out.SetNamespace(abi.HostModule)
	progress := extism.NewHostFunctionWithStack(abi.FuncProgress, f.progress, ptr, nil)
	progress.SetNamespace(abi.HostModule)
	return []extism.HostFunction{req, log, send, recv, out, progress}
}

// httpRequest is the host function abi.FuncHTTPRequest:
// (req i64) -> (resp i64). It performs one HTTP request for the guest, as Do
// describes.
//
// # Parameters
//
//   - req: offset of an Extism memory block (kernel alloc/store) holding a
//     JSON abi.HTTPRequest of at most maxRequestDocument bytes. The guest
//     still owns it afterwards and may free it.
//
// # Results
//
//   - resp: offset of a new Extism memory block holding a JSON
//     abi.HTTPResponse, which the guest reads with length/load and then owns.
//     It is 0 only when the kernel could not allocate even a short error
//     response; length(0) is 0, so the guest sees an empty document.
//
// # Errors
//
// The function never traps. A bad offset, an oversized block, malformed JSON
// or a malformed request yields a response with Error abi.ErrBadRequest; a
// response too big for the guest's memory is replaced by one with Error
// abi.ErrResponseTooLarge.
//
// For example, a guest stores a 52-byte request in a block at offset 100,
// calls wasmcp_http_request(100), gets r, and reads length(r) bytes at r:
//
//	req=100                                                 resp=r
//	 |                                                       |
//	 {"method":"GET","url":"https://api.github.com/user"}    {"status":200,"body":"…"}
//	 `------------------ length(100) = 52 -----------------'  `------ length(r) ------'
func (f *Funcs) httpRequest(ctx context.Context, p *extism.CurrentPlugin, stack []uint64) {
	defer recoverTo(ctx, "http_request", func() { stack[0] = 0 })
	var resp abi.HTTPResponse
	raw, err := readBlock(p, stack[0], maxRequestDocument)
	if err != nil {
		resp = refuse(abi.ErrBadRequest, "%v", err).response(nil)
	} else {
		var req abi.HTTPRequest
		if err := json.Unmarshal(raw, &req); err != nil {
			resp = refuse(abi.ErrBadRequest, "the request is not a JSON HTTPRequest: %v", err).response(nil)
		} else {
			resp = f.Do(ctx, req)
		}
	}
	stack[0] = writeResponse(p, resp)
}

// readBlock copies the Extism memory block at offset, refusing blocks that
// are missing or longer than max.
func readBlock(p *extism.CurrentPlugin, offset uint64, max uint64) ([]byte, error) {
	if offset == 0 || offset > math.MaxUint32 {
		return nil, fmt.Errorf("offset %d does not name a memory block", offset)
	}
	n, err := p.Length(offset)
	if err != nil || n == 0 {
		return nil, fmt.Errorf("offset %d does not name a memory block", offset)
	}
	if n > max {
		return nil, fmt.Errorf("the memory block is %d bytes, above the limit of %d", n, max)
	}
	buf, ok := p.Memory().Read(uint32(offset), uint32(n))
	if !ok {
		return nil, fmt.Errorf("the memory block at %d is out of range", offset)
	}
	return bytes.Clone(buf), nil
}

// writeResponse stores resp as JSON in a new memory block and returns its
// offset; if that fails, it tries a short ErrResponseTooLarge response, and
// returns 0 if that fails too.
func writeResponse(p *extism.CurrentPlugin, resp abi.HTTPResponse) uint64 {
	if off, err := writeJSON(p, resp); err == nil {
		return off
	}
	off, err := writeJSON(p, abi.HTTPResponse{
		Error:        abi.ErrResponseTooLarge,
		ErrorMessage: "the response does not fit in the plugin's memory",
	})
	if err != nil {
		return 0
	}
	return off
}

func writeJSON(p *extism.CurrentPlugin, v any) (uint64, error) {
	doc, err := encodeDocument(v)
	if err != nil {
		return 0, err
	}
	if uint64(len(doc)) > math.MaxUint32 {
		return 0, errors.New("document too large")
	}
	// Not p.WriteBytes: the kernel's alloc answers 0 when memory cannot
	// grow, and WriteBytes would then write over the kernel's own header.
	off, err := p.Alloc(uint64(len(doc)))
	if err != nil {
		return 0, err
	}
	if off == 0 || off > math.MaxUint32 {
		return 0, errors.New("the kernel could not allocate the block")
	}
	if !p.Memory().Write(uint32(off), doc) {
		_ = p.Free(off)
		return 0, errors.New("the block is out of range")
	}
	return off, nil
}

// encodeDocument encodes v as the host hands documents to guests: JSON
// without HTML escaping (bodies and messages stay as the API wrote them),
// with no trailing newline.
func encodeDocument(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// recoverTo turns a panic in a host function into a logged error and a
// fallback result, so that the guest never traps on the host's account.
func recoverTo(ctx context.Context, fn string, fallback func()) {
	if r := recover(); r != nil {
		if c, ok := CallFrom(ctx); ok {
			c.emit(ctx, levelError, "host function panicked", attrPlugin(c), strAttr("func", fn),
				strAttr("panic", truncate(c.scrubber().String(fmt.Sprint(r)), MaxLogMessage)))
		}
		fallback()
	}
}
