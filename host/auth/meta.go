package auth

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wasmcp/wasmcp/internal/secret"
)

// Keys of the OAuth parameters in a tools/call request's _meta, in the order
// in which they are checked and reported.
const (
	KeyUserID     = "userId"
	KeyUserToken  = "userToken"
	KeyProviderID = "providerId"
)

// metaKeys is the checking and reporting order.
var metaKeys = [3]string{KeyUserID, KeyUserToken, KeyProviderID}

// MaxParamLen is the longest userId, userToken or providerId accepted, in
// bytes. Longer values are invalid_parameter errors: no real identifier or
// temp token comes near it, and the bound keeps logs and backend requests
// small.
const MaxParamLen = 4096

// ValidateMeta reads the OAuth parameters from a tools/call request's _meta
// and checks them against provider, the provider the tool was declared for.
// It returns the credentials, or an error and zero Credentials.
//
// Checks run in this order, and the first failing one is reported:
//
//  1. Every key of userId, userToken and providerId that is absent makes one
//     missing_parameters error listing them all ("Required: userId,
//     userToken, providerId. Missing: userToken"). A nil meta lacks all
//     three.
//  2. A key that is present but whose value is not valid makes an
//     invalid_parameter error naming the first such key, in the order above.
//     A value is valid when it is a string that is not empty, not only
//     Unicode white space, at most MaxParamLen bytes, and valid UTF-8; a
//     userToken must also be at least secret.MinLen (16) characters long,
//     since the host scrubs it from everything a plugin gets back and a
//     shorter one cannot be told apart from legitimate data; a userId or
//     providerId must hold no control or format character, nor a line or
//     paragraph separator. A JSON null is present, hence
//     invalid. Values are used as sent: nothing is trimmed.
//  3. A providerId different from provider (compared exactly, case
//     included) makes a provider_mismatch error, whose details echo the
//     providerId shortened and with unprintable runes replaced.
//
// Every other _meta key (progressToken, io.modelcontextprotocol/*, unknown
// ones) is ignored.
func ValidateMeta(meta map[string]any, provider string) (Credentials, *Error) {
	var missing []string
	for _, k := range metaKeys {
		if _, ok := meta[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return Credentials{}, missingParameters(provider, missing)
	}

	var vals [3]string
	for i, k := range metaKeys {
		s, problem := checkParam(k, meta[k])
		if problem != "" {
			return Credentials{}, invalidParameter(provider, k, problem)
		}
		vals[i] = s
	}

	c := Credentials{UserID: vals[0], UserToken: vals[1], ProviderID: vals[2]}
	if c.ProviderID != provider {
		return Credentials{}, providerMismatch(provider, c.ProviderID)
	}
	return c, nil
}

// checkCredentials applies the value rules of ValidateMeta to credentials
// that did not come through it (a Check run, a direct caller), so that an
// Exchanger never sends a value ValidateMeta would refuse. The error's
// provider is the credentials' own providerId.
func checkCredentials(c Credentials) *Error {
	for i, v := range [3]string{c.UserID, c.UserToken, c.ProviderID} {
		if _, problem := checkParam(metaKeys[i], v); problem != "" {
			return invalidParameter(c.ProviderID, metaKeys[i], problem)
		}
	}
	return nil
}

// checkParam returns v as a string, or the details of the invalid_parameter
// error for key. The details never include the value.
func checkParam(key string, v any) (string, string) {
	s, ok := v.(string)
	switch {
	case !ok:
		return "", key + " must be a non-empty string"
	case len(s) > MaxParamLen:
		return "", fmt.Sprintf("%s must be at most %d bytes", key, MaxParamLen)
	case strings.TrimSpace(s) == "":
		return "", key + " must be a non-empty string"
	case !utf8.ValidString(s):
		return "", key + " must be valid UTF-8"
	case key == KeyUserToken && !secret.LongEnough(s):
		return "", fmt.Sprintf("userToken must be at least %d characters long; a shorter value is too short to be a secret", secret.MinLen)
	case key != KeyUserToken && strings.IndexFunc(s, isUnsafeRune) >= 0:
		return "", key + " must not contain control characters"
	}
	return s, ""
}

// isUnsafeRune reports runes that must not appear in a userId or
// providerId: they would let a value forge or hide text in logs and error
// messages (newlines, ANSI escapes, bidirectional overrides, zero-width
// characters).
func isUnsafeRune(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp)
}
