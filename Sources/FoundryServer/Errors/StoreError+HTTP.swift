import FoundryStore
import HTTPTypes

/// The one place where store errors become HTTP statuses and error codes.
extension StoreError {
    var apiError: APIError {
        let message = description
        switch self {
        case .invalidProjectID: return APIError(.badRequest, code: "INVALID_PROJECT_ID", message: message)
        case .invalidFieldName: return APIError(.badRequest, code: "INVALID_FIELD_NAME", message: message)
        case .invalidArgument: return APIError(.badRequest, code: "INVALID_ARGUMENT", message: message)
        case .invalidUTF8: return APIError(.badRequest, code: "INVALID_UTF8", message: message)
        case .projectNotFound: return APIError(.notFound, code: "PROJECT_NOT_FOUND", message: message)
        case .versionNotFound: return APIError(.notFound, code: "VERSION_NOT_FOUND", message: message)
        case .fieldNotFound: return APIError(.notFound, code: "FIELD_NOT_FOUND", message: message)
        case .invalidRange(let field, let version, _, _, let count):
            return APIError(.unprocessableContent, code: "INVALID_RANGE", message: message, details: [
                "field": field, "version": String(version), "line_count": String(count),
            ])
        case .commentNotFound: return APIError(.notFound, code: "COMMENT_NOT_FOUND", message: message)
        case .taskNotFound: return APIError(.notFound, code: "TASK_NOT_FOUND", message: message)
        case .taskDeleted: return APIError(.gone, code: "TASK_DELETED", message: message)
        case .projectExists: return APIError(.conflict, code: "PROJECT_EXISTS", message: message)
        case .lockHeld(let lock):
            return APIError(.locked, code: "LOCKED", message: message, details: [
                "field": lock.field, "holder": lock.user, "holder_session": lock.session, "expires_at": lock.expiresAt,
            ])
        case .lockNotHeld(let field, _): return APIError(.locked, code: "LOCK_NOT_HELD", message: message, details: ["field": field])
        case .forbidden(_, let action, _, let role):
            return APIError(.forbidden, code: "FORBIDDEN", message: message, details: ["action": action, "role": role ?? "none"])
        case .memberNotFound: return APIError(.notFound, code: "MEMBER_NOT_FOUND", message: message)
        case .lastOwner: return APIError(.conflict, code: "LAST_OWNER", message: message)
        case .projectFrozen: return APIError(.locked, code: "PROJECT_FROZEN", message: message)
        case .staleBase(let field, _, let changedIn):
            return APIError(.conflict, code: "STALE_BASE", message: message, details: ["field": field, "changed_in": String(changedIn)])
        case .nothingToUndo: return APIError(.conflict, code: "NOTHING_TO_UNDO", message: message)
        case .nothingToRedo: return APIError(.conflict, code: "NOTHING_TO_REDO", message: message)
        case .conflict: return APIError(.conflict, code: "CONFLICT", message: message)
        case .storageFull: return APIError(.insufficientStorage, code: "STORAGE_FULL", message: message)
        case .runNotFound(_, let run): return APIError(.notFound, code: "RUN_NOT_FOUND", message: message, details: ["run": run])
        case .runFinished(let run, let state): return APIError(.conflict, code: "RUN_FINISHED", message: message, details: ["run": run, "state": state])
        case .runNotExternal(let run): return APIError(.conflict, code: "RUN_NOT_EXTERNAL", message: message, details: ["run": run])
        case .runnerNotConfigured: return APIError(.serviceUnavailable, code: "RUNNER_NOT_CONFIGURED", message: message)
        case .runnerFailedToStart: return APIError(.internalServerError, code: "RUNNER_FAILED_TO_START", message: message)
        case .io, .corrupt: return APIError(.internalServerError, code: "STORAGE_ERROR", message: message)
        case .invalidBundleName: return APIError(.badRequest, code: "INVALID_BUNDLE_NAME", message: message)
        case .alreadyFrozen(_, let bundle):
            return APIError(.conflict, code: "ALREADY_FROZEN", message: message, details: bundle.map { ["bundle": $0] } ?? [:])
        case .locksHeld(let locks):
            return APIError(.conflict, code: "LOCKS_HELD", message: message, details: [
                "fields": locks.map(\.field).joined(separator: ","), "holders": locks.map(\.user).joined(separator: ","),
            ])
        case .invalidContent(let field, let version, let problem):
            return APIError(.unprocessableContent, code: "INVALID_CONTENT", message: message, details: [
                "field": field, "version": String(version), "line": String(problem.line), "column": String(problem.column),
            ])
        case .bundleExists(let name, _): return APIError(.conflict, code: "BUNDLE_EXISTS", message: message, details: ["bundle": name])
        case .bundleNotFound: return APIError(.notFound, code: "BUNDLE_NOT_FOUND", message: message)
        case .signingUnavailable: return APIError(.serviceUnavailable, code: "SIGNING_UNAVAILABLE", message: message)
        case .approvalsMissing(let shortfall):
            return APIError(.conflict, code: "APPROVAL_REQUIRED", message: message, details: [
                "version": String(shortfall.version), "required": String(shortfall.required), "approvals": String(shortfall.approvers.count),
                "missing": String(shortfall.required - shortfall.approvers.count), "approvers": shortfall.approvers.joined(separator: ","),
                "excluded": shortfall.excluded.joined(separator: ","), "authors": shortfall.authors.joined(separator: ","),
                "four_eyes": String(shortfall.fourEyes),
            ])
        case .authenticationComponentsMissing(let missing, let present, let first):
            return StepUpChallenge.error(message, details: [
                "missing": "amr", "amr_missing": missing.joined(separator: " "), "amr": present.joined(separator: " "),
                "first_in_session": String(first),
            ])
        }
    }
}

extension HTTPResponse.Status {
    /// 423 Locked (RFC 4918): a field lock or a frozen project stands in the way.
    static let locked = HTTPResponse.Status(code: 423, reasonPhrase: "Locked")
    /// 507 Insufficient Storage (RFC 4918): the disk refused the bytes.
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
}
