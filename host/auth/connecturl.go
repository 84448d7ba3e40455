package auth

import (
	"encoding/json"
	"io"
)

// MaxConnectURLBytes caps the connectUrl taken from a 403 or 404 body.
const MaxConnectURLBytes = 2048

// maxConnectBody caps how much of a 403 or 404 body is read for its
// connectUrl.
const maxConnectBody = 8 << 10

// readConnectURL returns the "connectUrl" string of a 403 or 404 answer's
// JSON body, where a backend may say where the user connects the
// provider; "" when there is none, the body is not a JSON object, or it
// is longer than maxConnectBody. The value is not checked here (the host
// does, against backend.connect_url), and nothing else of the body is
// kept.
func readConnectURL(body io.Reader) string {
	data, err := io.ReadAll(io.LimitReader(body, maxConnectBody+1))
	if err != nil || len(data) > maxConnectBody {
		return ""
	}
	// A map, not a struct: struct fields would also match "connecturl".
	var obj map[string]json.RawMessage
	if json.Unmarshal(data, &obj) != nil {
		return ""
	}
	var s string
	if json.Unmarshal(obj["connectUrl"], &s) != nil || len(s) > MaxConnectURLBytes {
		return ""
	}
	return s
}
