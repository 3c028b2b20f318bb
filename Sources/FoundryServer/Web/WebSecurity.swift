import HTTPTypes

/// The headers every response of the web workspace carries: a strict
/// Content-Security-Policy (scripts, styles and connections from this
/// server only; no inline code, no plugins, no `<base>`, framing only by
/// the origins `--web-frame-ancestors` names), and the usual hardening.
enum WebSecurity {
    static func policy(frameAncestors: [String]) -> String {
        [
            "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "font-src 'self'",
            "connect-src 'self'", "manifest-src 'self'", "base-uri 'none'", "form-action 'none'", "object-src 'none'",
            "frame-ancestors " + (frameAncestors.isEmpty ? "'none'" : frameAncestors.joined(separator: " ")),
        ].joined(separator: "; ")
    }

    static func headers(frameAncestors: [String]) -> HTTPFields {
        var headers = HTTPFields()
        headers[HTTPField.Name("Content-Security-Policy")!] = policy(frameAncestors: frameAncestors)
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] = "same-origin"
        return headers
    }
}
