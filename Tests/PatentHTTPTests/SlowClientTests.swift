import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Testing
@testable import PatentHTTP

/// Slow and idle sockets cannot hold the server (slowloris): deadlines for a request's
/// head, its body and keep-alive close them, and connections beyond the cap are closed on
/// arrival. Driven over real loopback sockets against a live server.
@Suite struct SlowClientTests {
    /// A raw TCP connection to the server on 127.0.0.1. Its blocking reads run on a
    /// Dispatch thread: blocking Swift's cooperative threads would starve the server's
    /// own handlers, which run there too.
    final class Socket: @unchecked Sendable {
        let descriptor: Int32

        init(port: Int) throws {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw E2EError("cannot connect to port \(port): errno \(errno)") }
        }

        deinit { close(descriptor) }

        func send(_ text: String) { _ = text.withCString { Glibc.send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }

        /// What arrives within `seconds`: the bytes, and whether the server closed.
        func receive(within seconds: Double) async -> (text: String, closed: Bool) {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(returning: self.blockingReceive(within: seconds)) }
            }
        }

        /// A signal (the test process's children ending: SIGCHLD) interrupts a `recv` with a
        /// timeout instead of restarting it: it is called again for the time left.
        private func blockingReceive(within seconds: Double) -> (text: String, closed: Bool) {
            let deadline = Date().addingTimeInterval(seconds)
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let left = max(0.001, deadline.timeIntervalSinceNow)
                var timeout = timeval(tv_sec: Int(left), tv_usec: Int((left - Double(Int(left))) * 1_000_000))
                setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count == 0 { return ("", true) }
                if count > 0 { return (String(decoding: buffer[..<count], as: UTF8.self), false) }
                if errno == EINTR, deadline.timeIntervalSinceNow > 0 { continue }
                return ("", errno == ECONNRESET)
            }
        }
    }

    /// Runs the server on a free port for `body`, with no other client connected: the
    /// sockets `body` opens are the only connections counted.
    static func live(_ limits: ConnectionLimits, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let server = try TestServer()
        var logger = Logger(label: "patents.test")
        logger.logLevel = .warning
        let (ports, announce) = AsyncStream<Int>.makeStream()
        let app = PatentServer.application(server.services, links: DownloadLinks(publicURL: "http://patents.test"),
                                           host: "127.0.0.1", port: 0, connections: limits, logger: logger) { announce.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { running in
            running.addTask { try await group.run() }
            var next = ports.makeAsyncIterator()
            let port = try #require(await next.next())
            do {
                try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await running.waitForAll()
        }
    }

    @Test func aHeadTrickledByteByByteIsCutOffAtTheHeaderDeadline() async throws {
        var limits = ConnectionLimits()
        limits.headerTimeout = .milliseconds(600)
        try await Self.live(limits) { port in
            let socket = try Socket(port: port)
            socket.send("GET /health HTTP/1.1\r\n")
            var closed = false
            var bytesSent = 0
            for _ in 0..<20 where !closed {
                socket.send("X")        // one byte of a header every 0.2 s
                bytesSent += 1
                closed = await socket.receive(within: 0.2).closed
            }
            // Bytes kept arriving all along (20 × 0.2 s): only a deadline that trickling does
            // not extend closes the connection before the loop ends. Counted in bytes sent,
            // not seconds, so a loaded machine's slow wake-ups do not count against it.
            #expect(closed, "the server must close a connection whose head never completes")
            #expect(bytesSent < 15, "closed after \(bytesSent) trickled bytes")
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosed() async throws {
        var limits = ConnectionLimits()
        limits.keepAliveTimeout = .milliseconds(500)
        try await Self.live(limits) { port in
            let socket = try Socket(port: port)
            socket.send("GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await socket.receive(within: 30).text.hasPrefix("HTTP/1.1 200"))
            var closed = false
            for _ in 0..<20 where !closed { closed = await socket.receive(within: 0.5).closed }
            #expect(closed, "idle after its answer: closed at the keep-alive deadline")
        }
    }

    @Test func pipelinedRequestsAreAllAnswered() async throws {
        try await Self.live(ConnectionLimits()) { port in
            let socket = try Socket(port: port)
            socket.send(String(repeating: "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", count: 3))
            var received = ""
            for _ in 0..<60 where received.components(separatedBy: "HTTP/1.1 200").count < 4 {
                let (text, closed) = await socket.receive(within: 0.5)
                received += text
                if closed { break }
            }
            #expect(received.components(separatedBy: "HTTP/1.1 200").count == 4, "three answers: \(received.prefix(200))")
        }
    }

    @Test func connectionsBeyondTheCapAreClosedOnArrival() async throws {
        var limits = ConnectionLimits()
        limits.maximumConnections = 2
        try await Self.live(limits) { port in
            // Each held connection is answered first, so the server has surely counted both
            // before the third arrives, however slowly a loaded machine accepts them.
            var held = [try Socket(port: port), try Socket(port: port)]
            for socket in held {
                socket.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(await socket.receive(within: 30).text.hasPrefix("HTTP/1.1 200"))
            }
            // The third asks too: a server without the cap would answer it at once; with it, the
            // connection is closed unanswered. Waited for generously (a loaded machine is slow),
            // which cannot let a missing cap pass: the answer, not the time, decides.
            let third = try Socket(port: port)
            third.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            var thirdSaw = (text: "", closed: false)
            let closeDeadline = ContinuousClock.now + .seconds(30)
            while !thirdSaw.closed && thirdSaw.text.isEmpty && ContinuousClock.now < closeDeadline {
                thirdSaw = await third.receive(within: 1)
            }
            #expect(thirdSaw.closed && thirdSaw.text.isEmpty, "a third connection is closed unanswered: \(thirdSaw)")
            held.removeFirst()
            // The server learns of the close asynchronously (on a loaded machine this can take
            // longer than any fixed pause), so a new connection is tried until one is served.
            var answer = ""
            let deadline = ContinuousClock.now + .seconds(30)
            while !answer.hasPrefix("HTTP/1.1") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                let fourth = try Socket(port: port)
                fourth.send("GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")
                answer = await fourth.receive(within: 5).text
            }
            #expect(answer.hasPrefix("HTTP/1.1 200"), "a place freed is taken again")
            withExtendedLifetime(held) {}
        }
    }
}
