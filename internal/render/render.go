package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	"text/template"
	"time"
)

// Result is a rendered document.
type Result struct {
	// Output is the document.
	Output []byte
	// Source is the template file rendered; Common the shared partial
	// parsed with it.
	Source, Common Source
	// Missing lists the fields of the [MISSING: …] markers in Output.
	Missing []string
}

// ErrTooLarge reports a document larger than MaxOutputSize.
var ErrTooLarge = fmt.Errorf("rendered document exceeds %d bytes", MaxOutputSize)

// Render renders the communication template name in format (md or html)
// with d. Markdown templates are text/template; HTML templates are
// html/template, which escapes every value for its context, so record text
// can never add markup. Parse and execution errors name the template file
// and line (template: templates/comms/briefing.md.tmpl:12: …).
func (l *Library) Render(ctx context.Context, name, format string, d *Data) (*Result, error) {
	if strings.HasPrefix(name, SkeletonPrefix) {
		return nil, fmt.Errorf("%s is a record skeleton (used by casefile new), not a document template", name)
	}
	if name == CommonName {
		return nil, fmt.Errorf("%s holds shared blocks for the other templates; it is not rendered on its own", name)
	}
	src, err := l.Lookup(name, format)
	if err != nil {
		return nil, err
	}
	common, err := l.Lookup(CommonName, format)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if d != nil {
		d.Template, d.Format = name, format
	}
	res := &Result{Source: src, Common: common}
	exec, err := parse(src, common, funcs(d))
	if err != nil {
		return nil, err
	}
	out, err := l.execute(ctx, exec, d)
	if err != nil {
		return nil, err
	}
	if format == FormatMarkdown {
		out = tidyMarkdown(out)
	}
	res.Output = out
	res.Missing = Markers(out)
	return res, nil
}

// tidyMarkdown collapses runs of blank lines into one and ends the
// document with a single newline, so templates need not count the newlines
// their conditional blocks leave behind. Markdown gives no meaning to a
// second blank line.
func tidyMarkdown(b []byte) []byte {
	lines := bytes.Split(b, []byte("\n"))
	out := make([]byte, 0, len(b))
	blank := 0
	for _, l := range lines {
		if len(bytes.TrimSpace(l)) == 0 {
			blank++
			continue
		}
		if len(out) > 0 {
			out = append(out, '\n')
			if blank > 0 {
				out = append(out, '\n')
			}
		}
		blank = 0
		out = append(out, bytes.TrimRight(l, " \t\r")...)
	}
	if len(out) > 0 {
		out = append(out, '\n')
	}
	return out
}

// executor runs a parsed text or HTML template.
type executor func(w io.Writer, d *Data) error

func parse(src, common Source, fm map[string]any) (executor, error) {
	wrap := func(err error) error {
		return fmt.Errorf("parsing %s template %s: %w", src.Origin(), src.Name, err)
	}
	if src.Format == FormatHTML {
		t := htmltemplate.New(src.Path).Funcs(htmltemplate.FuncMap(fm))
		if len(common.Text) > 0 {
			if _, err := t.New(common.Path).Parse(string(common.Text)); err != nil {
				return nil, wrap(err)
			}
		}
		if _, err := t.Parse(string(src.Text)); err != nil {
			return nil, wrap(err)
		}
		return func(w io.Writer, d *Data) error { return t.Execute(w, d) }, nil
	}
	t := template.New(src.Path).Funcs(template.FuncMap(fm))
	if len(common.Text) > 0 {
		if _, err := t.New(common.Path).Parse(string(common.Text)); err != nil {
			return nil, wrap(err)
		}
	}
	if _, err := t.Parse(string(src.Text)); err != nil {
		return nil, wrap(err)
	}
	return func(w io.Writer, d *Data) error { return t.Execute(w, d) }, nil
}

// execute runs the template with a size cap and a time limit: a template
// from a repository is code, and may be hostile.
func (l *Library) execute(ctx context.Context, exec executor, d *Data) ([]byte, error) {
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	buf := &capped{max: MaxOutputSize, ctx: ctx}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("template panicked: %v", p)
			}
		}()
		done <- exec(buf, d)
	}()
	select {
	case err := <-done:
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return nil, ErrTooLarge
			}
			return nil, fmt.Errorf("executing template: %w", err)
		}
		return buf.Bytes(), nil
	case <-ctx.Done():
		// The goroutine stops at its next write; one that never writes
		// ends with the process.
		return nil, fmt.Errorf("executing template: %w (limit %s)", ctx.Err(), timeout)
	}
}

// capped is a buffer that refuses to grow past max or after ctx ends.
type capped struct {
	bytes.Buffer
	max int
	ctx context.Context
}

func (c *capped) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if c.Len()+len(p) > c.max {
		return 0, ErrTooLarge
	}
	return c.Buffer.Write(p)
}
