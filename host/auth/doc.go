// Package auth validates the OAuth parameters of a tools/call request and
// exchanges them for an access token at an OAuth backend.
//
// It implements the OAuth backend pattern of the reference design
// (shared/reference/oauth-backend.md): the MCP client sends three values in
// the request's _meta,
//
//	{"userId": "user_123", "userToken": "temp_token_abc456", "providerId": "reddit"}
//
// the host checks them with ValidateMeta against the provider the tool was
// declared for, and an Exchanger turns them into the provider's access token:
//
//	creds, e := auth.ValidateMeta(meta, "reddit")
//	if e != nil {
//		return toolError(e.Object()) // the model reads e.Object()
//	}
//	token, e := exchanger.Exchange(ctx, creds)
//
// Two Exchangers exist. Backend POSTs the three values to
// {url}/api/connectors/requestAuth and reads {"accessToken": "..."} back;
// Mock (mock mode) answers with fixed test tokens and never touches the
// network.
//
// Every failure is an *Error whose Object is one of the four error objects of
// the reference design (missing_parameters, provider_mismatch, api_error,
// invalid_parameter). Such failures are tool results for the model, not
// protocol errors.
//
// # Secrets
//
// The userToken and the access token never appear in an Error, a log record
// or a Check report. Credentials redacts the userToken in every fmt verb, in
// slog and in JSON. Fingerprint gives a short, non-reversible tag of a token
// for correlating log lines. No access token is kept after the call that
// asked for it: see RATIONALE.md for this and the other decisions.
package auth
