// Command kube-apiserver is a thin wrapper around the upstream kube-apiserver command, so that it
// can be built from the Go module proxy. The upstream k8s.io/kubernetes module points its k8s.io/*
// staging modules at local folders; this wrapper's go.mod points them at their published versions.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
