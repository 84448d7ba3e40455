package auth

import "context"

// Exchanger turns validated credentials into the provider's access token.
//
// Exchange returns the access token, or an *Error (an api_error, or an
// invalid_parameter for credentials ValidateMeta would have refused) and "".
// It returns by the time ctx is done. Implementations are safe for
// concurrent use, never log or return the userToken or the access token, and
// keep no access token once Exchange has returned.
type Exchanger interface {
	Exchange(ctx context.Context, c Credentials) (string, *Error)
}

var (
	_ Exchanger = (*Backend)(nil)
	_ Exchanger = (*Mock)(nil)
)
