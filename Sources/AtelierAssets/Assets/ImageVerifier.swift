import AtelierCore
import CImageCheck

/// Proves a file is an image by decoding it completely with the format's own library (libpng,
/// libjpeg-turbo, libwebp), never keeping a whole PNG or JPEG decoded, and refusing more pixels than
/// allowed from the header, before decoding. Blocking: run it off the event loop.
public enum ImageVerifier {
    public enum Failure: Error, Sendable, Equatable {
        /// Not decodable as its format: bad, truncated or damaged data.
        case corrupt
        /// The header declares more than the pixel limit (or an absurdly long side).
        case tooManyPixels(width: Int, height: Int)
        /// No decoder for that type on this server (libwebp could not be loaded, or an unknown type).
        case unavailable
        /// The file could not be read.
        case io
    }

    /// Decodes the file at `path` as `type` (png, jpeg or webp, as `ImageSniffer` names them).
    public static func verify(path: String, type: String, maxPixels: Int) -> Result<ImageSniffer.Info, Failure> {
        let format: Int
        switch type {
        case "png": format = Int(ATELIER_IMAGE_FORMAT_PNG)
        case "jpeg": format = Int(ATELIER_IMAGE_FORMAT_JPEG)
        case "webp": format = Int(ATELIER_IMAGE_FORMAT_WEBP)
        default: return .failure(.unavailable)
        }
        var width: UInt32 = 0
        var height: UInt32 = 0
        let status = Int(atelier_image_verify(path, CInt(format), UInt64(max(maxPixels, 0)), &width, &height))
        switch status {
        case Int(ATELIER_IMAGE_OK):
            return .success(ImageSniffer.Info(type: type, width: Int(width), height: Int(height)))
        case Int(ATELIER_IMAGE_TOO_MANY_PIXELS):
            return .failure(.tooManyPixels(width: Int(width), height: Int(height)))
        case Int(ATELIER_IMAGE_UNAVAILABLE):
            return .failure(.unavailable)
        case Int(ATELIER_IMAGE_IO):
            return .failure(.io)
        default:
            return .failure(.corrupt)
        }
    }
}
