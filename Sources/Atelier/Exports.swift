// The package's domain modules, one import away: the server and the command line say `import Atelier`.
@_exported import AtelierCore
@_exported import AtelierAssets
@_exported import AtelierCatalog
@_exported import AtelierCustomization
@_exported import AtelierCommerce
@_exported import AtelierDelivery
@_exported import AtelierInsights
@_exported import AtelierPrivacy
@_exported import AtelierAccess
