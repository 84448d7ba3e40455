package main

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText turns an HTML mail body into plain text for the model: the
// text of the document with entities decoded, a line break for each block
// (paragraphs, divs, table rows, list items, <br>), list items marked "- ",
// a link's URL after its text when it is short enough to be worth reading,
// and nothing of <head>, <style>, <script> and the like. Runs of spaces are
// one space; runs of blank lines, one blank line.
func htmlToText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0        // depth inside elements whose text is not shown
	pre := 0         // depth inside <pre>, whose line breaks are kept
	var href string  // the URL of the link being read
	var linkText int // where its text starts in b
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return tidy(b.String())
		case html.TextToken:
			if skip == 0 && pre > 0 {
				b.Write(z.Text())
			} else if skip == 0 {
				// Line breaks in HTML source are spaces.
				b.WriteString(strings.Map(func(r rune) rune {
					if r == '\n' || r == '\r' {
						return ' '
					}
					return r
				}, string(z.Text())))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if hidden[a] {
				if tt == html.StartTagToken {
					skip++
				}
				continue
			}
			if skip > 0 {
				continue
			}
			switch {
			case a == atom.Br:
				b.WriteByte('\n')
			case a == atom.Pre && tt == html.StartTagToken:
				pre++
				b.WriteByte('\n')
			case a == atom.Li:
				b.WriteString("\n- ")
			case a == atom.Td || a == atom.Th:
				b.WriteByte(' ')
			case a == atom.A && hasAttr:
				href = linkTarget(z)
				linkText = b.Len()
			case block[a]:
				b.WriteByte('\n')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if hidden[a] {
				if skip > 0 {
					skip--
				}
				continue
			}
			if skip > 0 {
				continue
			}
			switch {
			case a == atom.Pre:
				pre = max(pre-1, 0)
				b.WriteByte('\n')
			case a == atom.A:
				if href != "" && !strings.Contains(b.String()[linkText:], href) {
					b.WriteString(" (" + href + ")")
				}
				href = ""
			case block[a]:
				b.WriteByte('\n')
			}
		}
	}
}

// maxLinkShown bounds the URLs htmlToText keeps: longer ones (tracking
// links, mostly) would drown the text.
const maxLinkShown = 120

// linkTarget returns the href of the <a> being read, when it is an http,
// https or mailto URL of at most maxLinkShown bytes.
func linkTarget(z *html.Tokenizer) string {
	for {
		k, v, more := z.TagAttr()
		if string(k) == "href" {
			u := strings.TrimSpace(string(v))
			if len(u) <= maxLinkShown && (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "mailto:")) {
				return strings.TrimPrefix(u, "mailto:")
			}
			return ""
		}
		if !more {
			return ""
		}
	}
}

// hidden are the elements whose content is not text for a reader.
var hidden = map[atom.Atom]bool{
	atom.Head: true, atom.Style: true, atom.Script: true, atom.Title: true,
	atom.Noscript: true, atom.Template: true, atom.Svg: true, atom.Object: true,
}

// block are the elements that start and end a line.
var block = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Tr: true, atom.Table: true, atom.Ul: true, atom.Ol: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Blockquote: true, atom.Pre: true, atom.Hr: true, atom.Section: true, atom.Article: true,
	atom.Header: true, atom.Footer: true, atom.Center: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
}

// tidy collapses the spaces of each line, trims it, and keeps at most one
// blank line in a row.
func tidy(s string) string {
	var b strings.Builder
	blank := 0
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.Join(strings.FieldsFunc(line, isSpace), " ")
		if line == "" {
			blank++
			continue
		}
		if b.Len() > 0 {
			if blank > 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteByte('\n')
			}
		}
		blank = 0
		b.WriteString(line)
	}
	return b.String()
}

// isSpace is HTML's white space, and the no-break space (&nbsp;), which
// mail uses for layout.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\r', '\f', '\v', '\u00a0', '\u200b':
		return true
	}
	return false
}
