# OpenVOD: the two commands a newcomer needs are `make run` and `make test`.
GO ?= go
BIN := bin/openvod
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: build run test bench generate lint clean

build:
	$(GO) build -ldflags "-X github.com/openvod/openvod/internal/cli.Version=$(VERSION)" -o $(BIN) ./cmd/openvod

# Installs ffmpeg when missing, then serves on 127.0.0.1:9000 with data in ./data.
run: build
	scripts/deps.sh run
	$(BIN) serve $(ARGS)

# Installs what the tests need when missing (ffmpeg, Node.js + SDK, PostgreSQL), then vets and tests everything.
test:
	scripts/test.sh

bench: build
	$(GO) run ./bench/apibench -bin $(BIN)

generate:
	$(GO) generate ./...

clean:
	rm -rf bin
