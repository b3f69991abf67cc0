package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vod"
	"github.com/openvod/openvod/internal/vodapi"
)

// call sends one signed request. Parameters come as --Name value pairs
// (typed by the action's request schema, so --FileId 123 stays a string and
// --Limit 5 becomes a number) and/or as one --json object.
func call(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: openvod call ACTION [--Param value | --json '{...}'] [--wait] [--endpoint URL]")
		return 2
	}
	action := args[0]
	var reqType reflect.Type
	for _, a := range append(vodapi.Actions(), vod.ExtensionActions()...) {
		if a.Name == action {
			reqType = reflect.TypeOf(a.NewRequest()).Elem()
		}
	}
	if reqType == nil {
		fmt.Fprintf(stderr, "openvod call: %q is not an action of the VOD API %s\n", action, vodapi.Version)
		return 2
	}
	endpoint := getenv("OPENVOD_ENDPOINT")
	params := map[string]any{}
	wait := false
	for i := 1; i < len(args); i++ {
		name := strings.TrimLeft(args[i], "-")
		val, hasVal := "", false
		if k, v, ok := strings.Cut(name, "="); ok {
			name, val, hasVal = k, v, true
		}
		if name == "wait" {
			wait = true
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				fmt.Fprintf(stderr, "openvod call: --%s needs a value\n", name)
				return 2
			}
			i++
			val = args[i]
		}
		switch name {
		case "endpoint":
			endpoint = val
		case "json":
			if err := json.Unmarshal([]byte(val), &params); err != nil {
				fmt.Fprintf(stderr, "openvod call: --json is not a JSON object: %v\n", err)
				return 2
			}
		default:
			v, err := typedParam(reqType, name, val)
			if err != nil {
				fmt.Fprintln(stderr, "openvod call:", err)
				return 2
			}
			params[name] = v
		}
	}
	if endpoint == "" {
		endpoint = "http://127.0.0.1:9000"
	}
	if !strings.Contains(endpoint, "://") {
		endpoint = "http://" + endpoint
	}
	id, key := getenv("OPENVOD_SECRET_ID"), getenv("OPENVOD_SECRET_KEY")
	if id == "" || key == "" {
		fmt.Fprintln(stderr, "openvod call: set OPENVOD_SECRET_ID and OPENVOD_SECRET_KEY (the server prints them on its first start)")
		return 2
	}
	c := &tcapi.Client{Endpoint: endpoint, SecretID: id, SecretKey: key, Version: vodapi.Version}
	var out map[string]any
	if err := c.Call(ctx, action, params, &out); err != nil {
		return printErr(stderr, err)
	}
	printJSON(stdout, out)
	if taskID, ok := out["TaskId"].(string); ok && wait {
		sub, _ := params["SubAppId"]
		return follow(ctx, c, taskID, sub, stdout, stderr)
	}
	return 0
}

// typedParam converts a command-line value to the JSON type the request
// field has.
func typedParam(t reflect.Type, name, val string) (any, error) {
	f, ok := t.FieldByName(name)
	if !ok {
		return nil, fmt.Errorf("%s has no parameter %q", strings.TrimSuffix(t.Name(), "Request"), name)
	}
	ft := f.Type
	if ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	switch ft.Kind() {
	case reflect.String:
		return val, nil
	case reflect.Int64:
		return strconv.ParseInt(val, 10, 64)
	case reflect.Uint64:
		return strconv.ParseUint(val, 10, 64)
	case reflect.Float64:
		return strconv.ParseFloat(val, 64)
	case reflect.Bool:
		return strconv.ParseBool(val)
	}
	var v any
	if err := json.Unmarshal([]byte(val), &v); err != nil {
		return nil, fmt.Errorf("--%s takes JSON (a list or an object): %v", name, err)
	}
	return v, nil
}

func printJSON(w io.Writer, v any) {
	b, _ := json.MarshalIndent(v, "", "  ")
	fmt.Fprintf(w, "%s\n", b)
}

func printErr(w io.Writer, err error) int {
	var apiErr *tcapi.Error
	if errors.As(err, &apiErr) {
		fmt.Fprintf(w, "error %s: %s\n", apiErr.Code, apiErr.Message)
		return 1
	}
	fmt.Fprintln(w, "openvod call:", err)
	return 1
}

// follow polls DescribeTaskDetail until the task ends, drawing a progress
// bar on stderr, then prints the final detail.
func follow(ctx context.Context, c *tcapi.Client, taskID string, subAppID any, stdout, stderr io.Writer) int {
	params := map[string]any{"TaskId": taskID}
	if subAppID != nil {
		params["SubAppId"] = subAppID
	}
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		var d map[string]any
		if err := c.Call(ctx, "DescribeTaskDetail", params, &d); err != nil {
			fmt.Fprintln(stderr)
			return printErr(stderr, err)
		}
		status, _ := d["Status"].(string)
		fmt.Fprintf(stderr, "\r%s %-10s %s", bar(progressOf(d)), status, taskID)
		if status == "FINISH" || status == "ABORTED" {
			fmt.Fprintln(stderr)
			delete(d, "RequestId")
			printJSON(stdout, d)
			return 0
		}
		select {
		case <-ctx.Done():
			fmt.Fprintln(stderr)
			return 130
		case <-tick.C:
		}
	}
}

// progressOf finds the Progress of the task's result, whatever its type.
func progressOf(d map[string]any) int {
	for _, v := range d {
		if m, ok := v.(map[string]any); ok {
			if p, ok := m["Progress"].(float64); ok {
				return int(p)
			}
		}
	}
	if d["Status"] == "FINISH" {
		return 100
	}
	return 0
}

func bar(p int) string {
	p = max(0, min(100, p))
	n := p * 30 / 100
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", 30-n) + "] " + fmt.Sprintf("%3d%%", p)
}
