// Command prog is a stock Go wasip1 guest used by the differential test of
// package meter. It is built at test time with
// GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared.
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

func main() {}

type item struct {
	ID    int32             `json:"id"`
	Name  string            `json:"name"`
	Tags  []string          `json:"tags"`
	Score float64           `json:"score"`
	Attrs map[string]string `json:"attrs"`
}

// compute does a mix of real work proportional to n and returns a checksum.
//
//go:wasmexport compute
func compute(n int32) int32 {
	items := make([]item, n)
	for i := range items {
		items[i] = item{
			ID:    int32(i) * 7919 % (n + 1),
			Name:  fmt.Sprintf("item-%d", i),
			Tags:  strings.Split(fmt.Sprintf("a%d,b%d,c", i%3, i%5), ","),
			Score: float64(i) / 3,
			Attrs: map[string]string{"k": fmt.Sprint(i * i)},
		}
	}
	data, err := json.Marshal(items)
	if err != nil {
		return -1
	}
	var back []item
	if err := json.Unmarshal(data, &back); err != nil {
		return -2
	}
	sort.Slice(back, func(i, j int) bool {
		if back[i].ID != back[j].ID {
			return back[i].ID < back[j].ID
		}
		return back[i].Name < back[j].Name
	})
	counts := map[string]int{}
	for _, it := range back {
		for _, t := range it.Tags {
			counts[t]++
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	add := func(s string) { h.Write([]byte(s)) }
	for _, k := range keys {
		add(fmt.Sprintf("%s=%d;", k, counts[k]))
	}
	for _, it := range back {
		add(fmt.Sprintf("%d:%s:%.3f:%s|", it.ID, it.Name, it.Score, it.Attrs["k"]))
	}
	sum := h.Sum(nil)
	return int32(binary.LittleEndian.Uint32(sum)) ^ int32(len(data))
}
