// Writes strict, standalone JSON schemas of the Kubernetes kinds the Helm chart renders, in the
// layout kubeconform reads (v<version>-standalone-strict/<kind>[-<group>]-<version>.json), made
// from the Go types of k8s.io/api, the source Kubernetes' own OpenAPI document is generated from:
// a field without omitempty is required, and no object takes a property it does not declare.
//
//	go run . ../../test/data/kubernetes-schemas/v1.36.6-standalone-strict
//
// See test/data/kubernetes-schemas/README.md for why the schemas are made here.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/invopop/jsonschema"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

type kind struct {
	group, version, name string
	object               any
}

var kinds = []kind{
	{"apps", "v1", "Deployment", appsv1.Deployment{}},
	{"", "v1", "Service", corev1.Service{}},
	{"", "v1", "ServiceAccount", corev1.ServiceAccount{}},
	{"", "v1", "PersistentVolumeClaim", corev1.PersistentVolumeClaim{}},
	{"networking.k8s.io", "v1", "NetworkPolicy", networkingv1.NetworkPolicy{}},
}

// The types whose JSON form is not their Go structure (they marshal themselves).
func customJSON(t reflect.Type) *jsonschema.Schema {
	switch t {
	case reflect.TypeOf(intstr.IntOrString{}):
		return &jsonschema.Schema{OneOf: []*jsonschema.Schema{{Type: "string"}, {Type: "integer"}}}
	case reflect.TypeOf(resource.Quantity{}):
		return &jsonschema.Schema{OneOf: []*jsonschema.Schema{{Type: "string"}, {Type: "number"}}}
	case reflect.TypeOf(metav1.Time{}), reflect.TypeOf(metav1.MicroTime{}):
		return &jsonschema.Schema{Type: "string", Format: "date-time"}
	}
	return nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run . OUTPUT_DIR")
		os.Exit(2)
	}
	out := os.Args[1]
	if err := os.MkdirAll(out, 0o755); err != nil {
		panic(err)
	}
	reflector := jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true, Mapper: customJSON}
	for _, k := range kinds {
		schema := reflector.Reflect(k.object)
		schema.Version = ""
		schema.ID = ""
		apiVersion := k.version
		file := fmt.Sprintf("%s-%s.json", strings.ToLower(k.name), k.version)
		if k.group != "" {
			apiVersion = k.group + "/" + k.version
			file = fmt.Sprintf("%s-%s-%s.json", strings.ToLower(k.name), strings.Split(k.group, ".")[0], k.version)
		}
		schema.Properties.Set("apiVersion", &jsonschema.Schema{Type: "string", Enum: []any{apiVersion}})
		schema.Properties.Set("kind", &jsonschema.Schema{Type: "string", Enum: []any{k.name}})
		schema.Required = append(schema.Required, "apiVersion", "kind")
		data, err := json.MarshalIndent(schema, "", "  ")
		if err != nil {
			panic(err)
		}
		if err := os.WriteFile(filepath.Join(out, file), append(data, '\n'), 0o644); err != nil {
			panic(err)
		}
		fmt.Println(file)
	}
}
