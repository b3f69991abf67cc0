// Package server assembles OpenVOD: it reads the configuration (flags and
// OPENVOD_* variables), opens the database, storage and ffmpeg, creates or
// loads the account's credentials, and runs the API, the workers and the
// media file server in one process until it is told to stop.
package server
