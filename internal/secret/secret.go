// Package secret holds the one rule that both the token exchange (package
// auth) and the scrubber (package hostfuncs) apply to a secret's length.
//
// The host replaces every secret of a call (the access token, the user's
// temporary token) by "[REDACTED]" wherever it occurs in what a plugin or a
// log receives. That is safe for legitimate data only when a secret is long
// enough never to occur in it by chance: a one-letter userToken would turn
// "followers" into "f[REDACTED]ll[REDACTED]wers". So a userToken shorter
// than MinLen is refused when a call's _meta is validated, an access token
// shorter than MinLen is refused when the backend hands it out, and the
// scrubber only ever looks for secrets of at least MinLen.
package secret

import "unicode/utf8"

// MinLen is the length, in characters (Unicode code points), below which a
// value is too short to be a secret.
//
// 16 characters carry 64 bits even in hexadecimal, the least entropy OWASP
// accepts for a session identifier, and every token format the host meets
// is longer: UUIDs (36), GitHub tokens (40), JWTs and Google tokens
// (hundreds), the reference design's example temp token
// "temp_token_abc456" (17) and its mock tokens (27 to 29). A string that
// long and that specific does not occur in an API's answer unless the API
// is echoing it, which is exactly when it must be scrubbed.
const MinLen = 16

// LongEnough reports whether s has at least MinLen characters.
func LongEnough(s string) bool {
	return len(s) >= MinLen && utf8.RuneCountInString(s) >= MinLen
}
