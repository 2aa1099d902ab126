import NIOConcurrencyHelpers
import NIOCore
import NIOHTTPTypes

/// How long a client may take and how many connections the server holds, so that slow
/// or idle sockets ("slowloris": a byte every few seconds) cannot hold the server's
/// connections forever. Behind a reverse proxy these bound the proxy's connections.
public struct ConnectionLimits: Sendable {
    /// Connections held at once; one more is closed as soon as it is accepted.
    public var maximumConnections = 1_024
    /// A new connection must deliver a request's whole head within this.
    public var headerTimeout: TimeAmount = .seconds(10)
    /// A request's body must arrive whole within this after its head.
    public var bodyTimeout: TimeAmount = .seconds(60)
    /// After an answer, the next request's whole head must arrive within this.
    public var keepAliveTimeout: TimeAmount = .seconds(30)

    public init() {}
}

/// Counts the server's open connections (shared by every connection's guard).
final class ConnectionCount: Sendable {
    private let count = NIOLockedValueBox(0)

    /// Takes a place; false (and no place taken) when all `maximum` are held.
    func open(maximum: Int) -> Bool {
        count.withLockedValue { value in
            guard value < maximum else { return false }
            value += 1
            return true
        }
    }

    func close() { count.withLockedValue { $0 -= 1 } }
}

/// Sits on each connection after HTTP decoding: enforces ``ConnectionLimits`` by
/// closing the connection when a deadline passes, and refuses a connection beyond the
/// cap. Every deadline covers a whole phase, so trickling bytes does not extend it.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: ConnectionLimits
    private let connections: ConnectionCount
    private var counted = false
    private var deadline: Scheduled<Void>?
    /// Requests whose head arrived and whose answer has not ended (pipelining).
    private var unanswered = 0
    private var readingBody = false

    init(limits: ConnectionLimits, connections: ConnectionCount) {
        self.limits = limits
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard connections.open(maximum: limits.maximumConnections) else {
            context.close(promise: nil)
            return
        }
        counted = true
        arm(limits.headerTimeout, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if counted {
            counted = false
            connections.close()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        handlerRemoved(context: context)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            readingBody = true
            arm(limits.bodyTimeout, context: context)
        case .body: break
        case .end:
            readingBody = false
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // The keep-alive deadline starts when every request read so far is answered; a
        // pipelined request being processed has none, one being read keeps its own.
        if case .end = unwrapOutboundIn(data) {
            unanswered = max(0, unanswered - 1)
            if unanswered == 0, !readingBody { arm(limits.keepAliveTimeout, context: context) }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        deadline?.cancel()
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) { bound.value.close(promise: nil) }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}
