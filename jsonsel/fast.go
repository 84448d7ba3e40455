package jsonsel

import (
	"strconv"

	"github.com/tidwall/gjson"
)

// GJSON evaluates a multipath such as "#.{name,owner:owner.login}" one
// field at a time: each field is a search of the element from its start,
// so cutting down a page of 30 repositories of 5 KB by 20 fields reads
// about 3 MB. The paths plugins write (pdk.SelectOf makes them) are of a
// small kind: plain keys, '#', '#.' and {...} of those. For them, fast
// reads each object once, taking every field it needs in that one pass.
// Anything else, or any value whose shape GJSON treats in a way of its own
// (a key looked up in an array, '#' on an object, a path into a string),
// makes fast give up, and GJSON itself answers. TestFastMatchesGJSON and
// FuzzFast check that whenever fast answers, it answers what GJSON does,
// byte for byte.

// selNode is a parsed path of that kind.
type selNode struct {
	kind  byte     // 'k': key, then next; '#': count; 'm': each element, next; '{': items
	key   string   // 'k'
	next  *selNode // 'k', 'm': the rest of the path; nil for the value itself
	items []selItem
}

type selItem struct {
	name string // the key it is written under
	node *selNode
}

// parseFast parses sel, or returns false when it is not of that kind.
func parseFast(sel string) (*selNode, bool) {
	n, rest, ok := parseNode(sel, 0)
	return n, ok && rest == ""
}

const maxFastDepth = 16

func parseNode(s string, depth int) (*selNode, string, bool) {
	if depth > maxFastDepth || s == "" {
		return nil, s, false
	}
	switch {
	case s[0] == '{':
		return parseMulti(s, depth)
	case s == "#" || (len(s) > 1 && s[0] == '#' && s[1] != '.'):
		if s != "#" && s[1] != ',' && s[1] != '}' {
			return nil, s, false
		}
		return &selNode{kind: '#'}, s[1:], true
	case len(s) > 1 && s[0] == '#' && s[1] == '.':
		next, rest, ok := parseNode(s[2:], depth+1)
		if !ok {
			return nil, s, false
		}
		return &selNode{kind: 'm', next: next}, rest, true
	}
	key, rest := plainKey(s)
	if key == "" {
		return nil, s, false
	}
	n := &selNode{kind: 'k', key: key}
	if rest != "" && rest[0] == '.' {
		next, r, ok := parseNode(rest[1:], depth+1)
		if !ok {
			return nil, s, false
		}
		n.next, rest = next, r
	}
	return n, rest, true
}

// parseMulti parses "{item,item...}" at the start of s.
func parseMulti(s string, depth int) (*selNode, string, bool) {
	n := &selNode{kind: '{'}
	s = s[1:]
	for {
		var name string
		if k, rest := plainKey(s); k != "" && rest != "" && rest[0] == ':' {
			name, s = k, rest[1:]
		}
		item, rest, ok := parseNode(s, depth+1)
		if !ok {
			return nil, s, false
		}
		if name == "" {
			if name = lastKey(item); name == "" {
				return nil, s, false
			}
		}
		n.items = append(n.items, selItem{name, item})
		if rest == "" {
			return nil, s, false
		}
		switch rest[0] {
		case ',':
			s = rest[1:]
		case '}':
			return n, rest[1:], len(n.items) > 0
		default:
			return nil, s, false
		}
	}
}

// lastKey is the name GJSON writes an unnamed item under: its path's last
// component, for a path of keys alone.
func lastKey(n *selNode) string {
	for n != nil && n.kind == 'k' {
		if n.next == nil {
			return n.key
		}
		n = n.next
	}
	return ""
}

// plainKey splits a leading key of letters, digits and '_' off s.
func plainKey(s string) (key, rest string) {
	i := 0
	for i < len(s) {
		c := s[i]
		if c == '_' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
			i++
			continue
		}
		break
	}
	return s[:i], s[i:]
}

// eval appends n's selection of v to dst. exists is false when it selects
// nothing; ok is false when GJSON must answer instead.
func eval(dst []byte, n *selNode, v gjson.Result) (out []byte, exists, ok bool) {
	if n == nil {
		return append(dst, v.Raw...), true, true
	}
	switch n.kind {
	case '#':
		if !v.IsArray() {
			return dst, false, false
		}
		count := 0
		v.ForEach(func(_, _ gjson.Result) bool { count++; return true })
		return strconv.AppendInt(dst, int64(count), 10), true, true
	case 'm':
		if !v.IsArray() {
			return dst, false, false
		}
		dst = append(dst, '[')
		first, ok := true, true
		v.ForEach(func(_, e gjson.Result) bool {
			mark := len(dst)
			if !first {
				dst = append(dst, ',')
			}
			var exists bool
			dst, exists, ok = eval(dst, n.next, e)
			if !exists {
				dst = dst[:mark] // GJSON leaves out elements that select nothing
			} else {
				first = false
			}
			return ok
		})
		return append(dst, ']'), true, ok
	case 'k':
		if !v.IsObject() {
			return dst, false, false
		}
		var found gjson.Result
		v.ForEach(func(k, val gjson.Result) bool {
			if k.Str == n.key {
				found = val
				return false
			}
			return true
		})
		return evalAfterKey(dst, n.next, found)
	}
	return evalMulti(dst, n, v)
}

// evalAfterKey appends next's selection of val, the value of a key (a
// zero Result when the object has no such key). GJSON answers {} for a
// multipath after a missing key, or after a key whose value is a string, a
// number, true, false or null.
func evalAfterKey(dst []byte, next *selNode, val gjson.Result) ([]byte, bool, bool) {
	if next != nil && next.kind == '{' && !val.IsObject() && !val.IsArray() {
		return append(dst, '{', '}'), true, true
	}
	if !val.Exists() {
		return dst, false, true
	}
	return eval(dst, next, val)
}

// evalMulti appends {"name":value,...}, in the items' order, leaving out
// the items that select nothing; on an object, it reads the object's
// members once for all the items' keys.
func evalMulti(dst []byte, n *selNode, v gjson.Result) ([]byte, bool, bool) {
	vals := make([]gjson.Result, len(n.items))
	switch {
	case v.IsObject():
		pending := 0
		for _, it := range n.items {
			if it.node.kind != 'k' {
				return dst, false, false // '#' on an object looks for a key "#"
			}
			pending++
		}
		v.ForEach(func(k, val gjson.Result) bool {
			for i, it := range n.items {
				if !vals[i].Exists() && it.node.key == k.Str {
					vals[i] = val
					pending--
				}
			}
			return pending > 0
		})
	case v.IsArray():
		for i, it := range n.items {
			if it.node.kind == 'k' {
				return dst, false, false // a key of an array is an index
			}
			vals[i] = v
		}
	default:
		return dst, false, false
	}
	dst = append(dst, '{')
	first := true
	for i, it := range n.items {
		mark := len(dst)
		if !first {
			dst = append(dst, ',')
		}
		dst = gjson.AppendJSONString(dst, it.name)
		dst = append(dst, ':')
		var exists, ok bool
		if it.node.kind == 'k' {
			dst, exists, ok = evalAfterKey(dst, it.node.next, vals[i]) // vals[i] is its key's value
		} else {
			dst, exists, ok = eval(dst, it.node, vals[i])
		}
		if !ok {
			return dst, false, false
		}
		if !exists {
			dst = dst[:mark]
			continue
		}
		first = false
	}
	return append(dst, '}'), true, true
}
