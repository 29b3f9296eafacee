import AtelierAccess
import AtelierAssets
import AtelierCatalog
import AtelierCommerce
import AtelierCore
import AtelierCustomization
import AtelierDelivery
import AtelierInsights

extension AtelierError.Code {
    /// Every code the domain modules declare, module by module from the bottom (each module's `<Module>ErrorCodes.swift`).
    /// AtelierPrivacy throws no code of its own. The HTTP edge's own codes are `AtelierError.Code.serverCodes`, in
    /// AtelierServer above this module.
    public static let all: [AtelierError.Code] = Array([
        coreCodes, assetsCodes, catalogCodes, customizationCodes, commerceCodes, deliveryCodes, insightsCodes, accessCodes,
    ].joined())
}
