import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Plain HTTP/1.1 against a port on 127.0.0.1, for the ops endpoints.
public enum LocalHTTP {
    /// A port nothing listens on right now.
    public static func freePort() throws -> UInt16 {
        let (descriptor, port) = try boundSocket(listening: false)
        close(descriptor)
        return port
    }

    /// A port that takes connections and never answers (nothing accepts
    /// them), until `body` ends: a server that hangs.
    public static func withSilentPort<Value>(_ body: (UInt16) async throws -> Value) async throws -> Value {
        let (descriptor, port) = try boundSocket(listening: true)
        defer { close(descriptor) }
        return try await body(port)
    }

    /// A socket bound to a free port on 127.0.0.1, and the port.
    private static func boundSocket(listening: Bool) throws -> (Int32, UInt16) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(descriptor, pointer, length) == 0, !listening || listen(descriptor, 16) == 0 else { return -1 }
                return getsockname(descriptor, pointer, &length)
            }
        }
        guard bound == 0 else {
            close(descriptor)
            throw Failure(reason: "no free port")
        }
        return (descriptor, UInt16(bigEndian: address.sin_port))
    }

    /// GETs a path; nil status when nothing answers.
    public static func get(port: UInt16, path: String) async -> (status: Int, body: String)? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: getBlocking(port: port, path: path)) }
        }
    }

    private static func getBlocking(port: UInt16, path: String) -> (status: Int, body: String)? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard send(descriptor, request, request.count, 0) == request.count else { return nil }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &chunk, chunk.count, 0)
            if count <= 0 { break }
            response += chunk[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        guard let statusLine = parts.first?.split(separator: "\r\n").first,
            let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return (status, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return address
    }

    public struct Failure: Error {
        public let reason: String
    }
}
