package task

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Task statuses as DescribeTaskDetail reports them.
const (
	// StatusWaiting: accepted, not yet started. Left by a worker's claim or
	// by an abort.
	StatusWaiting = "WAITING"
	// StatusProcessing: a worker is on it (or was, and its lease has not run
	// out yet). Left by the final transaction or an abort.
	StatusProcessing = "PROCESSING"
	// StatusFinish: ended; success or failure is in the result's ErrCode.
	StatusFinish = "FINISH"
	// StatusAborted: ended by ManageTask Abort.
	StatusAborted = "ABORTED"
)

// TimeLayout is the API's time format: UTC, second precision.
const TimeLayout = "2006-01-02T15:04:05Z"

// FormatTime renders t in the API's format; the zero time is "".
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

// NewID mints a TaskId of the form {AppId}-{kind}-{32 hex}t0.
func NewID(appID uint64, kind string) string {
	var b [16]byte
	rand.Read(b[:])
	return strconv.FormatUint(appID, 10) + "-" + kind + "-" + hex.EncodeToString(b[:]) + "t0"
}

// Failure is a task that ended because of its input (a broken source, a
// bad parameter found only while processing), not because of a fault of
// ours: it is not retried, and its ErrCode and Message reach the user.
type Failure struct {
	// ErrCode is the legacy numeric code: 40000 bad input, 60000 source
	// file broken, 70000 internal.
	ErrCode int
	// Ext is the string code (InvalidInput, SourceFileError, InternalError).
	Ext string
	// Message says what went wrong and, where it helps, what to do.
	Message string
}

// Error codes of task results.
const (
	CodeInvalidInput = 40000
	CodeSourceError  = 60000
	CodeInternal     = 70000
)

func (f *Failure) Error() string {
	return fmt.Sprintf("task failed (%d %s): %s", f.ErrCode, f.Ext, f.Message)
}

// InvalidInput is a Failure for input that cannot be processed.
func InvalidInput(format string, args ...any) *Failure {
	return &Failure{ErrCode: CodeInvalidInput, Ext: "InvalidInput", Message: fmt.Sprintf(format, args...)}
}

// SourceError is a Failure for a source file that is missing, empty or
// broken.
func SourceError(format string, args ...any) *Failure {
	return &Failure{ErrCode: CodeSourceError, Ext: "SourceFileError", Message: fmt.Sprintf(format, args...)}
}

// Internal is the Failure reported after an internal fault used up its
// retries. The detail stays in the logs.
func Internal() *Failure {
	return &Failure{ErrCode: CodeInternal, Ext: "InternalError", Message: "internal error; the task was retried and failed, see the server log"}
}

// ErrAborted is the cause of a task context cancelled by ManageTask Abort.
var ErrAborted = errors.New("task aborted")

// errShutdown is the cause of a task context cancelled because the engine
// stops: the task is handed back to the queue, not ended.
var errShutdown = errors.New("engine stopping")
