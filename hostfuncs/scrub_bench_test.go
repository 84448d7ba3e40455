package hostfuncs

import "testing"

// BenchmarkNewScrubber is the scrubber a call builds for its access token
// and userToken.
func BenchmarkNewScrubber(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		newScrubber("gho_16C7e42F292c6912E7710c838347Ae178B4a", "temp_token_abc456_user_xyz")
	}
}
