package host

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/wasmcp/wasmcp/host/auth"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

// The connect flow. When the exchange says the user has not connected the
// provider (backend 403 or 404), or the provider refuses the token it gave
// (a 401 after a good exchange, and the tool failed), the host asks the
// user to connect, as the client can be asked:
//
//   - a client on 2025-11-25 that declared elicitation.url gets the
//     URL-elicitation-required error, -32042, with one url elicitation;
//   - a client on 2026-07-28 (or later) that declared it gets an
//     input_required result with that elicitation and a requestState; the
//     retry that echoes the state runs the call again;
//   - any other client gets the api_error tool result, with the URL in its
//     details and as connect_url.
//
// mcp-go v1.2.1 carries both protocol shapes: a handler error of type
// mcp.URLElicitationRequiredError becomes -32042 for a 2025-11-25 request,
// and a result with ResultType input_required reaches a 2026-07-28 client
// as it is. So the flow lives here, beside the call, with no protocol code
// of its own.

// connectInputKey is the key of the connect elicitation in inputRequests,
// and of its answer in inputResponses.
const connectInputKey = "connect"

// connector is the host's connect flow; nil when backend.connect_url is
// not configured (then the host answers as before it had one).
type connector struct {
	tmpl   *connectTemplate
	state  *stateSigner
	logger *slog.Logger
}

// newConnector returns the connect flow configured by b, or nil.
func newConnector(b BackendConfig, logger *slog.Logger) (*connector, error) {
	if b.ConnectURL == "" {
		return nil, nil
	}
	tmpl, err := parseConnectTemplate(b.ConnectURL)
	if err != nil {
		return nil, err
	}
	st, err := newStateSigner(b.ConnectStateKeyFile, b.ConnectStateTTL)
	if err != nil {
		return nil, err
	}
	if b.ConnectStateKeyFile == "" {
		logger.Debug("connect flow: requestState key is random for this process; set backend.connect_state_key_file to share one between replicas")
	}
	return &connector{tmpl: tmpl, state: st, logger: logger}, nil
}

// connectMode is how the client can be asked to connect.
type connectMode int

const (
	connectInDetails     connectMode = iota // api_error with the URL
	connectByError                          // -32042 (2025-11-25)
	connectByInputResult                    // input_required (2026-07-28)
)

// clientConnectMode reads the request's protocol version and the client's
// capabilities: per request on 2026-07-28, from initialize on a session
// before it. A stateless HTTP request before 2026-07-28 has no session,
// so its client's capabilities are unknown: it gets the api_error.
func clientConnectMode(ctx context.Context) connectMode {
	var caps *mcp.ClientCapabilities
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern {
		caps = info.ClientCapabilities
	} else if s, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo); ok {
		c := s.GetClientCapabilities()
		caps = &c
	}
	if caps == nil || caps.Elicitation == nil || caps.Elicitation.URL == nil {
		return connectInDetails
	}
	version := server.RequestProtocolVersion(ctx)
	switch {
	case mcp.IsModernProtocol(version):
		return connectByInputResult
	case version >= mcp.ProtocolVersion20251125:
		return connectByError
	}
	return connectInDetails
}

// connectNeed is a call's request to connect, for connectWrap to answer.
type connectNeed struct {
	mode   connectMode
	params mcp.ElicitationParams
	state  string // requestState, for connectByInputResult
}

type connectSlotKey struct{}

// connectSlot carries a call's connectNeed from runCall to connectWrap.
type connectSlot struct{ need *connectNeed }

// connectWrap answers a call that needs the user to connect in the
// client's protocol: the tool result it got for the others, -32042 or
// input_required for those that can act on it.
func (h *Host) connectWrap(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	if h.connect == nil {
		return next
	}
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		slot := &connectSlot{}
		res, err := next(context.WithValue(ctx, connectSlotKey{}, slot), req)
		if err != nil || slot.need == nil {
			return res, err
		}
		switch n := slot.need; n.mode {
		case connectByError:
			return nil, mcp.URLElicitationRequiredError{Elicitations: []mcp.ElicitationParams{n.params}}
		case connectByInputResult:
			return server.NewInputRequestBuilder(n.state).Elicit(connectInputKey, n.params).ToolResult(), nil
		}
		return res, nil
	}
}

// connectOnExchange is the answer to a failed exchange: the api_error as
// before, or, for a 403 or 404 with a connect URL configured, the connect
// flow.
func (h *Host) connectOnExchange(ctx context.Context, tool string, args map[string]any, creds auth.Credentials, aerr *auth.Error) (*mcp.CallToolResult, string) {
	c := h.connect
	if c == nil || aerr.Code != auth.CodeAPIError || (aerr.Status != http.StatusForbidden && aerr.Status != http.StatusNotFound) {
		return authErrorResult(aerr), aerr.Code
	}
	link := c.url(ctx, creds, aerr.ConnectURL)
	if link == "" {
		return authErrorResult(aerr), aerr.Code
	}
	msg := fmt.Sprintf("Connect your %s account to use %s.", creds.ProviderID, tool)
	return c.ask(ctx, tool, args, creds, aerr, link, msg), "connect_required"
}

// connectOnProvider401 turns a failed tool call whose last provider
// response was 401 Unauthorized (the provider refused the token of a good
// exchange) into the connect flow: the user must reconnect. Any other
// outcome is returned as it is.
func (h *Host) connectOnProvider401(ctx context.Context, lastStatus int, tool string, args map[string]any, creds auth.Credentials, res *mcp.CallToolResult, outcome string) (*mcp.CallToolResult, string) {
	c := h.connect
	if c == nil || lastStatus != http.StatusUnauthorized || ctx.Err() != nil || (outcome != "tool_error" && outcome != "plugin_error") {
		return res, outcome
	}
	link := c.url(ctx, creds, "")
	if link == "" {
		return res, outcome
	}
	details := fmt.Sprintf("The %s API answered 401 Unauthorized to the access token of a successful exchange: the account must be reconnected", creds.ProviderID)
	if said := toolErrorText(res); said != "" {
		details += "; the tool said: " + safetext.Clip(said, 256)
	}
	aerr := &auth.Error{
		Code:     auth.CodeAPIError,
		Message:  "The " + creds.ProviderID + " account must be reconnected",
		Provider: creds.ProviderID,
		Details:  details,
	}
	msg := fmt.Sprintf("Reconnect your %s account: %s refused the host's access, so %s cannot run.", creds.ProviderID, creds.ProviderID, tool)
	return c.ask(ctx, tool, args, creds, aerr, link, msg), "reconnect_required"
}

// connectRetry checks the requestState of a retried call. It returns
// ok=false and the answer when the call must not go on: a state the host
// did not issue for this user, tool and arguments, or one that expired
// (a tool error saying so), or a user who declined to connect (the
// api_error with the URL). A call without a state, or with a good one,
// goes on: the exchange then says whether the user has connected.
func (h *Host) connectRetry(ctx context.Context, tool string, args map[string]any, creds auth.Credentials, req mcp.CallToolRequest) (*mcp.CallToolResult, string, bool) {
	c := h.connect
	if c == nil || req.Params.RequestState == "" {
		return nil, "", true
	}
	st, err := c.state.verify(req.Params.RequestState, creds.UserID, tool, args)
	if err != nil {
		c.logger.LogAttrs(ctx, slog.LevelInfo, "requestState refused",
			slog.String("tool", tool), slog.String("userId", creds.UserID), slog.String("reason", err.Error()))
		obj := map[string]any{
			"error":     "invalid_request_state",
			"message":   "The retried call's requestState was refused",
			"provider":  creds.ProviderID,
			"details":   err.Error(),
			"retryable": true,
		}
		text, _ := json.Marshal(obj)
		res := mcp.NewToolResultStructured(obj, string(text))
		res.IsError = true
		return res, "invalid_request_state", false
	}
	if answer := server.ElicitationResponse(req.Params.InputResponses, connectInputKey); answer != nil && answer.Action != mcp.ElicitationResponseActionAccept {
		link := c.url(ctx, creds, "")
		aerr := &auth.Error{
			Code:     auth.CodeAPIError,
			Message:  "The " + creds.ProviderID + " account is not connected",
			Provider: creds.ProviderID,
			Details:  fmt.Sprintf("The user did not connect the account (%s)", safetext.Clip(string(answer.Action), 16)),
			Status:   st.Status,
		}
		if st.Status == http.StatusUnauthorized {
			aerr.Status = 0 // the provider's status, not the backend's
		}
		return inDetails(aerr, link), "connect_declined", false
	}
	return nil, "", true
}

// url returns the connect URL for creds: the backend's, when it gave one
// the host accepts, else the template's. It returns "" when even that
// would hold the userToken (a userId that spells it): then there is no
// connect flow for this call.
func (c *connector) url(ctx context.Context, creds auth.Credentials, fromBackend string) string {
	if fromBackend != "" {
		link, err := c.tmpl.acceptBackendURL(fromBackend, creds.UserToken)
		if err == nil {
			return link
		}
		c.logger.LogAttrs(ctx, slog.LevelWarn, "backend connectUrl ignored; using backend.connect_url",
			slog.String("providerId", creds.ProviderID), slog.String("userId", creds.UserID), slog.String("reason", err.Error()))
	}
	link := c.tmpl.expand(creds.UserID, creds.ProviderID)
	if len(link) > maxConnectURL || containsSecret(link, creds.UserToken) {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "connect URL not offered",
			slog.String("providerId", creds.ProviderID), slog.String("userId", creds.UserID),
			slog.String("reason", "the expanded URL is too long or holds the userToken"))
		return ""
	}
	return link
}

// ask records the connect request for connectWrap, when the client can act
// on it, and returns the answer of the others: the api_error with the URL.
func (c *connector) ask(ctx context.Context, tool string, args map[string]any, creds auth.Credentials, aerr *auth.Error, link, msg string) *mcp.CallToolResult {
	if slot, ok := ctx.Value(connectSlotKey{}).(*connectSlot); ok {
		if mode := clientConnectMode(ctx); mode != connectInDetails {
			id := newElicitationID()
			status := aerr.Status
			if status == 0 {
				status = http.StatusUnauthorized
			}
			need := &connectNeed{mode: mode, params: mcp.ElicitationParams{
				Mode: mcp.ElicitationModeURL, Message: msg, ElicitationID: id, URL: link,
			}}
			if mode == connectByInputResult {
				need.state = c.state.issue(creds.UserID, tool, args, id, status)
			}
			slot.need = need
		}
	}
	return inDetails(aerr, link)
}

// inDetails is the api_error tool result with the connect URL in its
// details, for the model, and as connect_url, for the client.
func inDetails(aerr *auth.Error, link string) *mcp.CallToolResult {
	e := *aerr
	if link != "" {
		e.Details += ". Connect the " + e.Provider + " account at " + link + ", then call the tool again"
	}
	obj := e.Object()
	if link != "" {
		obj["connect_url"] = link
	}
	// Not json.Marshal: it writes & as \u0026, and the model would copy
	// the URL with it.
	var text strings.Builder
	enc := json.NewEncoder(&text)
	enc.SetEscapeHTML(false)
	enc.Encode(obj)
	res := mcp.NewToolResultStructured(obj, strings.TrimSuffix(text.String(), "\n"))
	res.IsError = true
	return res
}

// toolErrorText is the text of a tool error result, already scrubbed.
func toolErrorText(res *mcp.CallToolResult) string {
	if res == nil {
		return ""
	}
	for _, c := range res.Content {
		if t, ok := c.(mcp.TextContent); ok {
			return t.Text
		}
	}
	return ""
}
