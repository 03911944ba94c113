package docs

import (
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const specURL = "/openapi.json"

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	Mount(mux, specURL)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, rawURL string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(rawURL)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", rawURL, err)
	}
	return resp, body
}

func mediaType(t *testing.T, resp *http.Response) string {
	t.Helper()
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("bad Content-Type %q: %v", resp.Header.Get("Content-Type"), err)
	}
	return mt
}

var absURL = regexp.MustCompile(`(?i)https?://[^\s"'<>)]*`)

func TestPage(t *testing.T) {
	srv := newServer(t)
	resp, body := get(t, srv.URL+"/docs")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	if mt := mediaType(t, resp); mt != "text/html" {
		t.Errorf("content type = %q, want text/html", mt)
	}
	page := string(body)
	for _, want := range []string{
		"<elements-api",
		`apiDescriptionUrl="` + specURL + `"`,
		`router="hash"`,
		`layout="sidebar"`,
		"<title>aftersales API</title>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page does not contain %q:\n%s", want, page)
		}
	}
	// No absolute URLs at all: anything http(s):// would be an external
	// host that an offline install cannot reach.
	if m := absURL.FindAllString(page, -1); len(m) > 0 {
		t.Errorf("page references absolute URLs %v; it must work offline", m)
	}
	if regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?//`).MatchString(page) {
		t.Errorf("page has a protocol-relative URL:\n%s", page)
	}
}

// TestPageAssetsResolve follows every src/href on the page, resolved
// against /docs the way a browser would, and checks each is served.
func TestPageAssetsResolve(t *testing.T) {
	srv := newServer(t)
	_, body := get(t, srv.URL+"/docs")
	base, _ := url.Parse(srv.URL + "/docs")
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(string(body), -1)
	if len(refs) < 2 {
		t.Fatalf("expected script and stylesheet references, found %v", refs)
	}
	for _, ref := range refs {
		u, err := base.Parse(ref[1])
		if err != nil {
			t.Fatalf("bad reference %q: %v", ref[1], err)
		}
		if u.Host != base.Host {
			t.Errorf("reference %q leaves the server", ref[1])
			continue
		}
		resp, _ := get(t, u.String())
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s (from %q): status %d", u.Path, ref[1], resp.StatusCode)
		}
		if !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=31536000") {
			t.Errorf("GET %s: Cache-Control = %q, want long max-age", u, resp.Header.Get("Cache-Control"))
		}
	}
}

func TestAssets(t *testing.T) {
	srv := newServer(t)
	for _, tc := range []struct {
		file    string
		types   []string
		minSize int
	}{
		{"web-components.min.js", []string{"text/javascript", "application/javascript"}, 500_000},
		{"styles.min.css", []string{"text/css"}, 50_000},
	} {
		t.Run(tc.file, func(t *testing.T) {
			resp, body := get(t, srv.URL+"/docs/assets/"+tc.file+"?v="+version)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200", resp.StatusCode)
			}
			mt := mediaType(t, resp)
			ok := false
			for _, want := range tc.types {
				ok = ok || mt == want
			}
			if !ok {
				t.Errorf("content type = %q, want one of %v", mt, tc.types)
			}
			if len(body) < tc.minSize {
				t.Errorf("size = %d bytes, want at least %d", len(body), tc.minSize)
			}
			if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
				t.Errorf("Cache-Control = %q, want long max-age", cc)
			}
			etag := resp.Header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}

			// Revalidation by ETag yields 304 without a body.
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/docs/assets/"+tc.file, nil)
			req.Header.Set("If-None-Match", etag)
			resp2, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp2.Body.Close()
			if resp2.StatusCode != http.StatusNotModified {
				t.Errorf("conditional GET status = %d, want 304", resp2.StatusCode)
			}
		})
	}
}

func TestUnknownAsset(t *testing.T) {
	srv := newServer(t)
	for _, p := range []string{
		"/docs/assets/nope.js",
		"/docs/assets/README.md", // lives next to the assets but is not embedded
		"/docs/assets/",
		"/docs/assets/..%2fdocs.go",
	} {
		resp, _ := get(t, srv.URL+p)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status = %d, want 404", p, resp.StatusCode)
		}
	}
}

func TestOnlyGET(t *testing.T) {
	srv := newServer(t)
	resp, err := http.Post(srv.URL+"/docs", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /docs: status = %d, want 405", resp.StatusCode)
	}
}
