import Foundation
import Logging
import SQLKit

package enum MigrationLock {
    package static let key: Int64 = 0x4154_454C  // "ATEL"
}
