package tcapi

import "fmt"

// Common API error codes (PROTOCOL.md §7). Actions add their own, more
// specific codes such as "InvalidParameterValue.TaskId".
const (
	CodeInternalError                    = "InternalError"
	CodeInvalidParameter                 = "InvalidParameter"
	CodeInvalidParameterValue            = "InvalidParameterValue"
	CodeMissingParameter                 = "MissingParameter"
	CodeUnknownParameter                 = "UnknownParameter"
	CodeUnsupportedOperation             = "UnsupportedOperation"
	CodeResourceNotFound                 = "ResourceNotFound"
	CodeRequestLimitExceeded             = "RequestLimitExceeded"
	CodeInvalidAction                    = "InvalidAction"
	CodeNoSuchVersion                    = "NoSuchVersion"
	CodeAuthFailureSignatureFailure      = "AuthFailure.SignatureFailure"
	CodeAuthFailureSignatureExpire       = "AuthFailure.SignatureExpire"
	CodeAuthFailureSecretIdNotFound      = "AuthFailure.SecretIdNotFound"
	CodeAuthFailureInvalidAuthorization  = "AuthFailure.InvalidAuthorization"
	CodeAuthFailureTokenFailure          = "AuthFailure.TokenFailure"
	CodeAuthFailureUnauthorizedOperation = "AuthFailure.UnauthorizedOperation"
	CodeRequestSizeLimitExceeded         = "RequestSizeLimitExceeded"
	CodeUnsupportedProtocol              = "UnsupportedProtocol"
	CodeUnauthorizedOperation            = "UnauthorizedOperation"
	CodeFailedOperation                  = "FailedOperation"
	CodeLimitExceeded                    = "LimitExceeded"
	CodeResourceInUse                    = "ResourceInUse"
	CodeResourceUnavailable              = "ResourceUnavailable"
	CodeServiceUnavailable               = "ServiceUnavailable"
	CodeActionOffline                    = "ActionOffline"
)

// Error is an API error as it travels in the response envelope: Code is the
// API error code ("InvalidParameterValue.TaskId"), Message human text.
//
// A handler returns an *Error (possibly wrapped) to answer with that code.
// RequestID is filled only by [Client.Call] from the response it received;
// the server ignores it and always writes its own RequestId.
type Error struct {
	Code      string
	Message   string
	RequestID string
}

// Error formats the error as "Code: Message", adding the RequestId when known.
func (e *Error) Error() string {
	if e.RequestID != "" {
		return e.Code + ": " + e.Message + " (RequestId " + e.RequestID + ")"
	}
	return e.Code + ": " + e.Message
}

// Errorf returns an *Error with the given code and a message formatted as by
// fmt.Sprintf.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
