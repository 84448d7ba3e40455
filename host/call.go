package host

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	extism "github.com/extism/go-sdk"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/host/auth"
	"github.com/wasmcp/wasmcp/hostfuncs"
	"github.com/wasmcp/wasmcp/internal/safetext"
	"github.com/wasmcp/wasmcp/internal/telemetry"
	"github.com/wasmcp/wasmcp/internal/toolschema"
)

// toolHandler serves one tool of one plugin. The order of the steps is the
// contract: a call refused at any step reaches nothing after it, so a bad
// _meta never reaches the backend and a failed exchange never runs the
// plugin.
//
//  1. validate _meta (userId, userToken, providerId) against the provider
//  2. validate the arguments against the tool's schema
//  3. exchange the user token for an access token
//  4. run the plugin with the arguments only; the token stays in the host
//     and reaches the HTTP host function through the context
func (h *Host) toolHandler(pl *Plugin, tool string) server.ToolHandlerFunc {
	tm := h.tel.Tool(pl.Name(), pl.Desc.Provider, tool) // label sets resolved once, at load
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		start := time.Now()
		if !pl.acquire() {
			return mcp.NewToolResultError(fmt.Sprintf("plugin %q was unloaded while this call was starting; call the tool again", pl.Name())), nil
		}
		defer pl.release()

		res, creds, outcome := h.runCall(ctx, pl, tool, req)
		tm.Done(ctx, outcome, time.Since(start))
		h.logger.LogAttrs(ctx, slog.LevelInfo, "tool call",
			slog.String("tool", tool),
			slog.String("plugin", pl.Name()),
			slog.String("provider", pl.Desc.Provider),
			slog.String("userId", creds.UserID),
			slog.String("outcome", outcome),
			slog.Float64("latency_ms", msSince(start)),
			h.tel.TraceIDAttr(ctx), // none with tracing off
		)
		return res, nil
	}
}

// runCall performs the steps of toolHandler and names the outcome for the
// call's log line.
func (h *Host) runCall(ctx context.Context, pl *Plugin, tool string, req mcp.CallToolRequest) (*mcp.CallToolResult, auth.Credentials, string) {
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	defer context.AfterFunc(pl.calls, func() { stop(context.Cause(pl.calls)) })()
	ctx, cancel := context.WithTimeout(ctx, pl.Limits.Timeout)
	defer cancel()
	provider := pl.Desc.Provider
	if isLocal(pl) { // no provider, no hosts: no _meta, no exchange (local.go)
		res, outcome := h.runLocal(ctx, pl, tool, req)
		return res, auth.Credentials{}, outcome
	}

	_, mspan := h.tel.Start(ctx, telemetry.SpanValidateMeta)
	creds, aerr := auth.ValidateMeta(metaFields(req.Params.Meta), provider)
	endMetaSpan(mspan, aerr)
	if aerr != nil {
		h.logger.Debug("meta validation failed", "tool", tool, "code", aerr.Code)
		return authErrorResult(aerr), creds, aerr.Code
	}
	h.logger.Debug("meta validated", "tool", tool, "userId", creds.UserID, "providerId", creds.ProviderID)

	if res, outcome, ok := h.waitReady(ctx, pl); !ok {
		return res, creds, outcome
	}
	args := req.GetArguments()
	if err := pl.schemas[tool].In.Validate(args); err != nil {
		return mcp.NewToolResultError(toolschema.ArgsRefusal(tool, err)), creds, "invalid_arguments"
	}
	if res, outcome, ok := h.connectRetry(ctx, tool, args, creds, req); !ok {
		return res, creds, outcome // a requestState refused, or a connect declined (connect_flow.go)
	}

	token, aerr := h.exchanger.Exchange(ctx, creds)
	if aerr != nil {
		res, outcome := h.connectOnExchange(ctx, tool, args, creds, aerr) // authErrorResult, or the connect flow
		return res, creds, outcome
	}

	call := h.newCall(pl, token, creds.UserToken)
	defer call.LogDropped(ctx) // the call's one line about log lines dropped, if any
	h.logger.Debug("plugin call", "plugin", pl.Name(), "tool", tool, "userId", creds.UserID)
	cctx, flush := h.withClient(ctx, req) // progress and log notifications (notify.go)
	res, outcome := h.invoke(hostfuncs.WithCall(cctx, call), pl, call, tool, args, userKey(creds, token))
	flush()
	res, outcome = h.connectOnProvider401(ctx, call.LastStatus(), tool, args, creds, res, outcome)
	if code, _ := contextEnd(ctx); outcome != "ok" && code != "" {
		outcome = code // a call that failed because its context ended says why
	}
	return res, creds, outcome
}

// waitReady waits for pl's code and schemas to be compiled (at once but for
// the first calls after a start), and answers the call when they never will.
func (h *Host) waitReady(ctx context.Context, pl *Plugin) (*mcp.CallToolResult, string, bool) {
	h.loader.started.open() // a call needs its plugin now (startgate.go)
	if err := pl.wait(ctx); err != nil {
		h.logger.Warn("plugin unavailable", "plugin", pl.Name(), "err", safetext.Bounded(err.Error(), maxGuestError))
		return mcp.NewToolResultError(fmt.Sprintf("plugin %q could not start: %s", pl.Name(), contextReason(ctx, err))), "instance_error", false
	}
	return nil, "", true
}

// newCall is the hostfuncs.Call of one call of pl: the access token the
// host functions send (none for a local plugin) and the user's temporary
// token, both scrubbed from everything, with pl's policy and limits.
func (h *Host) newCall(pl *Plugin, token, userToken string) *hostfuncs.Call {
	c := &hostfuncs.Call{
		Plugin:   pl.Name(),
		Provider: pl.Desc.Provider,
		Token:    token,
		Policy:   pl.Policy,
		Limits: hostfuncs.Limits{
			MaxRequests:      pl.Limits.MaxHTTPRequests,
			MaxResponseBytes: pl.Limits.MaxHTTPResponseBytes,
			MaxOutputBytes:   pl.Limits.MaxOutputBytes,
			MaxLogRecords:    pl.Limits.MaxLogRecords,
			MaxLogBytes:      pl.Limits.MaxLogBytes,
		},
		Logger:  h.logger,
		Waiting: &pl.pool.onNetwork,
	}
	if userToken != "" {
		c.Secrets = []string{userToken}
	}
	return c
}

// invoke runs the plugin's call export on an instance from the pool and
// turns its answer into a tool result.
func (h *Host) invoke(ctx context.Context, pl *Plugin, call *hostfuncs.Call, tool string, args map[string]any, user string) (*mcp.CallToolResult, string) {
	scrub := call.Scrub
	input, err := json.Marshal(abi.CallRequest{Tool: tool, Arguments: args})
	if err != nil {
		return mcp.NewToolResultError("could not encode the arguments: " + err.Error()), "encode_error"
	}
	_, ispan := h.tel.Start(ctx, telemetry.SpanGetInstance)
	inst, err := pl.pool.get(ctx, user) // waits for the plugin to compile
	endInstanceSpan(ispan, err)
	if err != nil {
		var budget *errBudget
		if errors.As(err, &budget) {
			return mcp.NewToolResultError(fmt.Sprintf("plugin %q could not start: %s", pl.Name(), budget.Error())), "over_budget"
		}
		h.logger.Warn("plugin instance unavailable", "plugin", pl.Name(), "err", scrub(err.Error()))
		return mcp.NewToolResultError(fmt.Sprintf("plugin %q could not start: %s", pl.Name(), contextReason(ctx, err))), "instance_error"
	}
	inst.stderr.reset()
	call.Memory = inst.memory // before the guest runs; the host functions only read it
	// The guest call's span is the parent of its HTTP requests' spans.
	gctx, gspan := h.tel.Start(ctx, telemetry.SpanGuestCall)
	rc, out, err := inst.CallWithContext(gctx, abi.ExportCall, input)
	telemetry.EndGuestCall(gspan, rc, err != nil)
	if h.afterCall != nil {
		h.afterCall(pl, inst.Plugin)
	}
	if err == nil && ctx.Err() != nil {
		// The call's context ended while the guest ran, inside a host
		// function (which then failed for it) or just before the guest's
		// next yield: a metered guest is only stopped at those points, so it
		// may still have answered. The call answers why it was stopped,
		// as a guest under close-on-context-done does.
		err = context.Cause(ctx)
	}
	if direct, set, derr := call.Output(); set && err == nil && rc == 0 {
		// The guest set its result with abi.FuncOutput.
		out = direct
		var tooLarge *hostfuncs.OutputTooLargeError
		if errors.As(derr, &tooLarge) {
			pl.pool.put(user, inst, false)
			return mcp.NewToolResultError(fmt.Sprintf("plugin %q %s", pl.Name(), tooLarge.Error())), "output_too_large"
		}
		if derr != nil {
			err = derr
		}
	}
	if err != nil || rc != 0 {
		// A guest that set an Extism error and then trapped said why it
		// failed before the trap: read it while the kernel is still there.
		guestErr := ""
		if ctx.Err() == nil && err != nil {
			guestErr = clipGuestError(scrub(inst.GetErrorWithContext(context.Background())))
		}
		pl.pool.put(user, inst, false)
		reason := contextReason(ctx, err)
		if ctx.Err() == nil && err != nil {
			// wazero's stack trace of a trap names functions by index in a
			// stripped module: the log keeps it, the model is spared it.
			full := clipGuestError(scrub(err.Error()))
			reason, _, _ = strings.Cut(full, "\nwasm stack trace:")
			why := clipGuestError(scrub(inst.stderr.cause()))
			if guestErr != "" && !strings.Contains(reason, guestErr) {
				why = strings.TrimSpace(guestErr + "; " + why)
				why = strings.TrimSuffix(why, ";")
			}
			if why != "" {
				reason = why + " (" + reason + ")"
			}
			h.logger.Warn("plugin call failed", "plugin", pl.Name(), "tool", tool, "rc", rc, "err", safetext.Escape(full), "guest_stderr", safetext.Escape(why))
		} else {
			h.logger.Warn("plugin call failed", "plugin", pl.Name(), "tool", tool, "rc", rc, "err", safetext.Escape(reason))
		}
		return mcp.NewToolResultError(fmt.Sprintf("plugin %q failed while running %s: %s", pl.Name(), tool, reason)), "plugin_error"
	}
	if int64(len(out)) > pl.Limits.MaxOutputBytes {
		pl.pool.put(user, inst, false)
		tooLarge := &hostfuncs.OutputTooLargeError{Size: int64(len(out)), Limit: pl.Limits.MaxOutputBytes}
		return mcp.NewToolResultError(fmt.Sprintf("plugin %q %s", pl.Name(), tooLarge.Error())), "output_too_large"
	}
	// A result that is not a CallResult means the guest did not finish its
	// call normally (e.g. it exited with status 0, which go-sdk reports as
	// success with no output, and its module is closed): never reuse it.
	var cr abi.CallResult
	if err := decodeResult(out, &cr); err != nil {
		pl.pool.put(user, inst, false)
		why := scrub(err.Error())
		if len(out) == 0 {
			why = "it returned nothing (did it run out of memory, or exit?)"
		}
		return mcp.NewToolResultError(fmt.Sprintf("plugin %q returned an invalid result: %s", pl.Name(), why)), "plugin_error"
	}
	// An instance whose call ran into a limit is discarded, even when the
	// guest coped with the refusal and answered.
	limit := call.LimitHit()
	if limit != "" {
		h.logger.Debug("instance discarded: the call hit a limit", "plugin", pl.Name(), "tool", tool, "limit", limit)
	}
	pl.pool.put(user, inst, ctx.Err() == nil && limit == "")
	// Scrub after decoding, inside the values: scrubbing the raw JSON would
	// break it when a secret is short enough to match JSON syntax.
	cr.Message = scrub(cr.Message)
	cr.Content = scrubObject(cr.Content, scrub)
	if cr.IsError {
		msg := cr.Message
		if msg == "" {
			msg = "the tool failed without saying why"
		}
		if n := sentBytes(msg, false); n > maxResultBytes {
			return resultTooLarge(pl, n), "output_too_large"
		}
		return mcp.NewToolResultError(msg), "tool_error"
	}
	if len(cr.Blocks) > 0 {
		return richAnswer(pl, tool, cr, scrub) // content.go
	}
	if cr.Content == nil {
		cr.Content = map[string]any{}
	}
	text, _ := json.Marshal(cr.Content)
	if n := sentBytes(string(text), true); n > maxResultBytes {
		return resultTooLarge(pl, n), "output_too_large"
	}
	// What is checked against the output schema is what is sent, scrubbed
	// (text encodes cr.Content, whose numbers are still json.Number).
	if out := pl.schemas[tool].Out; out != nil {
		if err := out.ValidateDecoded(cr.Content); err != nil {
			return mcp.NewToolResultError(toolschema.ResultRefusal(pl.Name(), tool, err)), "invalid_result"
		}
	}
	// The structured result is the text's bytes: encoded once, not once
	// for the text and again, keys sorted anew, for the answer.
	return mcp.NewToolResultStructured(json.RawMessage(text), string(text)), "ok"
}

// resultTooLarge is the tool error for a result that would take n bytes
// in the answer.
func resultTooLarge(pl *Plugin, n int) *mcp.CallToolResult {
	return mcp.NewToolResultError(fmt.Sprintf("plugin %q returned a result that takes %d bytes as sent, above the host's limit of %d for one result (MCP clients refuse larger messages): return less, or page it",
		pl.Name(), n, maxResultBytes))
}

// callObserver is shown the instance a tool call of pl ran on, right after
// the call returns and before the pool keeps or closes it, on the call's
// goroutine. It is a test hook (Host.afterCall): the hostile-plugin tests use
// it to scan the guest's memory for secrets. Production code never sets it.
type callObserver func(pl *Plugin, inst *extism.Plugin)

// maxGuestError caps the text of a failed call's error quoted in the tool
// error and the log. The guest writes that text (an Extism error, a panic
// message), and MaxOutputBytes does not apply to it.
const maxGuestError = 4 << 10

// clipGuestError cuts s to maxGuestError bytes, at a character boundary.
func clipGuestError(s string) string { return safetext.ClipMarked(s, maxGuestError, "…[truncated]") }

// contextEnd says why the call's context ended, if it has: an outcome code
// for the log, and the reason for the tool error.
func contextEnd(ctx context.Context) (code, reason string) {
	switch {
	case errors.Is(context.Cause(ctx), errPluginClosed):
		return "stopped", errPluginClosed.Error()
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "timeout", "the call ran past its time limit and was stopped"
	case errors.Is(ctx.Err(), context.Canceled):
		return "cancelled", "the call was cancelled"
	}
	return "", ""
}

// contextReason explains a failure caused by the call's context, if it was,
// or else err.
func contextReason(ctx context.Context, err error) string {
	if _, reason := contextEnd(ctx); reason != "" {
		return reason
	}
	if err != nil {
		return err.Error()
	}
	return "unknown failure"
}

// authErrorResult is a refused or failed exchange as the reference design
// writes it: the error object as JSON text, and as structuredContent.
func authErrorResult(e *auth.Error) *mcp.CallToolResult {
	obj := e.Object()
	text, _ := json.Marshal(obj)
	res := mcp.NewToolResultStructured(obj, string(text))
	res.IsError = true
	return res
}

// metaFields returns the custom keys of a call's _meta; nil when it has none.
func metaFields(m *mcp.Meta) map[string]any {
	if m == nil {
		return nil
	}
	return m.AdditionalFields
}

// userKey is the instance-pool key of a user: instances are shared only
// within the same user of the same provider, holding the same access token.
// The userId alone is what the client claims; the token is what the backend
// granted for the userToken, so a client that names another user but holds
// its own grant (a backend that finds the token by userToken and does not
// check userId) never gets that user's instance. The key holds a digest of
// the token, never the token: no token outlives its call.
func userKey(c auth.Credentials, token string) string {
	sum := sha256.Sum256([]byte(token))
	return c.ProviderID + "\x00" + c.UserID + "\x00" + hex.EncodeToString(sum[:16])
}

// scrubObject returns m with scrub applied to its keys and string values,
// at any depth, and to its numbers (a numeric secret becomes the marker).
func scrubObject(m map[string]any, scrub func(string) string) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[scrub(k)] = scrubValue(v, scrub)
	}
	return out
}

func scrubValue(v any, scrub func(string) string) any {
	switch x := v.(type) {
	case string:
		return scrub(x)
	case map[string]any:
		return scrubObject(x, scrub)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = scrubValue(e, scrub)
		}
		return out
	case json.Number:
		if s := scrub(string(x)); s != string(x) {
			return s // a numeric secret: the number becomes the marker
		}
	}
	return v // booleans and null carry no secret
}

// decodeResult decodes a guest's CallResult, keeping numbers as written
// (json.Number) so that large integers survive and can be scrubbed. A result
// nested deeper than maxJSONDepth is refused before it is decoded: clients
// cannot read it.
func decodeResult(out []byte, cr *abi.CallResult) error {
	if jsonDeeperThan(out, maxJSONDepth) {
		return fmt.Errorf("it is nested deeper than %d levels, the host's limit for JSON from a plugin (MCP clients refuse deeper JSON): flatten it", maxJSONDepth)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(cr); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON result")
	}
	return nil
}

func msSince(t time.Time) float64 {
	return float64(time.Since(t).Microseconds()) / 1000
}
