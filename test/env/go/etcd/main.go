// Command etcd is a thin wrapper around the upstream etcd server entry point, so that it can be
// built from the Go module proxy (the upstream module carries replace directives of its own).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
