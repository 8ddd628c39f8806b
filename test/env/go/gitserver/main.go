// Command gitserver serves Git repositories over HTTP for the cluster tests, with the same server
// the Flux controllers' own tests use (github.com/fluxcd/pkg/gittestserver): pushes to a missing
// repository create it. It also serves a folder of static files under /static/ (a Helm repository:
// index.yaml and chart archives). It prints "ready <base URL>" once listening on 127.0.0.1 and
// stops on SIGTERM or SIGINT.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/fluxcd/pkg/gittestserver"
)

const staticPrefix = "/static/"

func main() {
	root := flag.String("root", "", "folder holding the bare repositories (<root>/<owner>/<name>.git)")
	static := flag.String("static", "", "folder served under "+staticPrefix+" (optional)")
	flag.Parse()
	if *root == "" {
		log.Fatal("gitserver: -root is required")
	}
	server := gittestserver.NewGitServer(*root).AutoCreate()
	if *static != "" {
		files := http.StripPrefix(staticPrefix, http.FileServer(http.Dir(*static)))
		server.AddHTTPMiddlewares(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, staticPrefix) {
					files.ServeHTTP(w, r)
					return
				}
				next.ServeHTTP(w, r)
			})
		})
	}
	if err := server.StartHTTP(); err != nil {
		log.Fatalf("gitserver: %v", err)
	}
	fmt.Printf("ready %s\n", server.HTTPAddress())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	server.StopHTTP()
}
