// Package docs serves the API reference page with its viewer embedded in the binary.
//
// The viewer is Stoplight Elements (npm package @stoplight/elements, the
// version is named in assets/README.md). Its two dist files are embedded
// with go:embed, so the page renders without internet access: it loads
// nothing from a CDN and names no external host.
package docs

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"time"
)

//go:embed assets/web-components.min.js assets/styles.min.css
var assetFS embed.FS

// asset is one embedded file, ready to serve.
type asset struct {
	data        []byte
	contentType string
	etag        string
}

// contentTypes is set explicitly rather than taken from package mime, whose
// table can be overridden by the host's mime.types (or the Windows registry).
var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
}

var (
	assets = loadAssets()
	// version is a short hash of all embedded assets. The page references
	// the assets as ?v=<version>, so they can be cached for long and a new
	// build with updated assets is still picked up at once.
	version = assetsVersion()
)

func loadAssets() map[string]asset {
	entries, err := fs.ReadDir(assetFS, "assets")
	if err != nil {
		panic("docs: reading embedded assets: " + err.Error())
	}
	m := make(map[string]asset, len(entries))
	for _, e := range entries {
		data, err := assetFS.ReadFile("assets/" + e.Name())
		if err != nil {
			panic("docs: reading embedded asset: " + err.Error())
		}
		ct, ok := contentTypes[path.Ext(e.Name())]
		if !ok {
			ct = "application/octet-stream"
		}
		sum := sha256.Sum256(data)
		m[e.Name()] = asset{
			data:        data,
			contentType: ct,
			etag:        `"` + hex.EncodeToString(sum[:8]) + `"`,
		}
	}
	return m
}

func assetsVersion() string {
	h := sha256.New()
	for _, name := range []string{"web-components.min.js", "styles.min.css"} {
		a, ok := assets[name]
		if !ok {
			panic("docs: embedded asset missing: " + name)
		}
		h.Write([]byte(name))
		h.Write(a.data)
	}
	return hex.EncodeToString(h.Sum(nil)[:6])
}

// The asset URLs are relative: the page is served at .../docs (no trailing
// slash), so "docs/assets/x" resolves to .../docs/assets/x, also when the
// API is mounted behind a path prefix.
var pageTmpl = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>aftersales API</title>
<link rel="stylesheet" href="docs/assets/styles.min.css?v={{.Version}}">
<script src="docs/assets/web-components.min.js?v={{.Version}}"></script>
<style>html,body{height:100%;margin:0}elements-api{display:block;height:100vh}</style>
</head>
<body>
<elements-api apiDescriptionUrl="{{.SpecURL}}" router="hash" layout="sidebar"></elements-api>
</body>
</html>
`))

// Mount registers GET /docs (the HTML page) and GET /docs/assets/{file}
// (embedded, with long cache headers and correct content types) on mux.
// specURL is the OpenAPI document's URL path, e.g. "/openapi.json".
func Mount(mux *http.ServeMux, specURL string) {
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, struct{ SpecURL, Version string }{specURL, version}); err != nil {
		panic("docs: rendering page: " + err.Error())
	}
	page := buf.Bytes()

	mux.HandleFunc("GET /docs", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, "docs.html", time.Time{}, bytes.NewReader(page))
	})

	mux.HandleFunc("GET /docs/assets/{file}", func(w http.ResponseWriter, r *http.Request) {
		a, ok := assets[r.PathValue("file")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", a.etag)
		if r.URL.Query().Get("v") == version {
			// The URL names this exact content: cache it for a year.
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			// Unversioned (or stale) URL: cache briefly, then revalidate by ETag.
			h.Set("Cache-Control", "public, max-age=3600")
		}
		http.ServeContent(w, r, r.PathValue("file"), time.Time{}, bytes.NewReader(a.data))
	})
}
