package server

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// requireBearer wraps h so that it answers only requests carrying
// "Authorization: Bearer token". An empty token leaves h open (TLS and basic
// auth from --web.config.file still apply to every path).
func requireBearer(token string, h http.Handler) http.Handler {
	if token == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="liftgate"`)
			writeError(w, http.StatusUnauthorized, "missing or wrong bearer token")
			return
		}
		h.ServeHTTP(w, r)
	})
}
