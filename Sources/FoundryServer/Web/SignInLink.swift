import Foundation

/// The address a person opens to use the web workspace: the server's URL
/// with a bearer token in the fragment (`http://127.0.0.1:8080/#token=…`),
/// so the token never reaches a server log or a `Referer` header; the page
/// takes it from there and removes it from the address bar.
public enum SignInLink {
    public static func make(baseURL: String, token: String) -> String {
        (baseURL.hasSuffix("/") ? baseURL : baseURL + "/") + "#token=" + token
    }

    /// `http://host:port` for a listening address; a wildcard address is
    /// shown as the loopback one, where a browser on this machine reaches it.
    public static func baseURL(host: String, port: Int) -> String {
        let shown = ["0.0.0.0", "::", "", "*"].contains(host) ? "127.0.0.1" : host
        return "http://" + (shown.contains(":") ? "[\(shown)]" : shown) + ":\(port)"
    }

    /// Whether `source` may stand in the CSP `frame-ancestors` list: `'self'`
    /// or an http(s) origin (host with an optional port, `*.` allowed), and
    /// nothing that could end the header's directive.
    public static func isFrameAncestor(_ source: String) -> Bool {
        source == "'self'" || source.wholeMatch(of: /https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?/) != nil
    }
}
