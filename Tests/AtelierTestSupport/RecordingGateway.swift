import Atelier
import Foundation
import Synchronization

/// A payment provider in memory that records every refund call and keeps its refunds the way a real one does: one
/// refund per idempotency key, and a call again with a key it knows answers the refund made then. Each call takes the
/// next step of its script (then succeeds), so a test decides when the provider fails and how.
public final class RecordingGateway: PaymentGateway {
    public enum Step: Sendable, Equatable {
        /// The refund is made (or, for a key seen before, the one made is answered).
        case succeed
        /// The call fails before anything happens: `transient` as a timeout or 503, otherwise refused as a 400.
        case fail(transient: Bool)
        /// The refund is made, then the answer is lost: the caller sees a timeout.
        case succeedThenTimeOut
    }

    struct State {
        var script: [Step]
        var calls: [RefundRequest] = []
        var made: [String: RefundRequest] = [:]
    }

    public let kind: PaymentProviderKind
    private let state: Mutex<State>

    public init(kind: PaymentProviderKind = .stripe, script: [Step] = []) {
        self.kind = kind
        state = Mutex(State(script: script))
    }

    /// Every refund call, in order.
    public var calls: [RefundRequest] { state.withLock { $0.calls } }

    /// The refunds the provider made, by idempotency key.
    public var refundsMade: [String: RefundRequest] { state.withLock { $0.made } }

    public func createPayment(_ request: PaymentRequest) async throws(PaymentGatewayError) -> PaymentHandle {
        PaymentHandle(reference: "pi_" + request.checkoutId)
    }

    public func refund(_ request: RefundRequest) async throws(PaymentGatewayError) -> Int64 {
        let (step, amount) = state.withLock { state -> (Step, Int64) in
            state.calls.append(request)
            let step = state.script.isEmpty ? .succeed : state.script.removeFirst()
            if case .fail = step { return (step, 0) }
            let made = state.made[request.idempotencyKey] ?? request
            state.made[request.idempotencyKey] = made
            return (step, made.amount)
        }
        switch step {
        case .succeed:
            return amount
        case .fail(let transient):
            throw PaymentGatewayError(provider: kind, status: transient ? 503 : 400, code: transient ? "unavailable" : "charge_disputed",
                                      message: "scripted failure", transient: transient)
        case .succeedThenTimeOut:
            throw PaymentGatewayError(provider: kind, status: nil, code: "network_error", message: "timed out after the refund was made",
                                      transient: true)
        }
    }

    public func lookup(_ reference: String) async throws(PaymentGatewayError) -> ProviderPaymentStatus {
        .open("recorded")
    }
}
