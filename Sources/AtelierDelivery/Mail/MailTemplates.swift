import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation
import Mustache
import SQLKit

/// The templates: Mustache, the text ones marked as text (nothing escaped), the HTML ones escaped. HTML
/// templates place every value with `{{name}}`, never `{{{name}}}` or `{{&name}}` (a test holds them to it).
enum MailTemplates {
    static let confirmationText = """
        {{% CONTENT_TYPE: TEXT}}Hello {{name}},

        thank you for your order {{number}} at {{shop}}. We are making it now.

        {{#lines}}
        {{quantity}} × {{name}} — {{total}} ({{unit}} each)
        {{#hasCustomization}}   {{customization}}
        {{/hasCustomization}}
        {{/lines}}

        Subtotal: {{subtotal}}
        Shipping ({{shippingMethod}}): {{shipping}}
        {{#taxLines}}
        {{name}}: {{amount}}
        {{/taxLines}}
        Total: {{total}}

        Expected to ship on {{expectedShipDate}}.
        {{#trackingLink}}
        Follow your order: {{trackingLink}}
        {{/trackingLink}}

        {{shop}}

        """

    static let confirmationHTML = """
        <!doctype html>
        <html><body style="font-family: sans-serif">
        <p>Hello {{name}},</p>
        <p>thank you for your order <strong>{{number}}</strong> at {{shop}}. We are making it now.</p>
        <table cellpadding="4">
        {{#lines}}
        <tr><td>{{quantity}} × {{name}}{{#hasCustomization}}<br><small>{{customization}}</small>{{/hasCustomization}}</td>
        <td align="right">{{total}}</td></tr>
        {{/lines}}
        <tr><td>Subtotal</td><td align="right">{{subtotal}}</td></tr>
        <tr><td>Shipping ({{shippingMethod}})</td><td align="right">{{shipping}}</td></tr>
        {{#taxLines}}<tr><td>{{name}}</td><td align="right">{{amount}}</td></tr>{{/taxLines}}
        <tr><td><strong>Total</strong></td><td align="right"><strong>{{total}}</strong></td></tr>
        </table>
        <p>Expected to ship on {{expectedShipDate}}.</p>
        {{#trackingLink}}<p><a href="{{trackingLink}}">Follow your order</a></p>{{/trackingLink}}
        <p>{{shop}}</p>
        </body></html>

        """

    static let shippedText = """
        {{% CONTENT_TYPE: TEXT}}Hello {{name}},

        your order {{number}} is on its way with {{carrier}}, tracking number {{trackingNumber}}.
        {{#carrierLink}}
        Track the parcel: {{carrierLink}}
        {{/carrierLink}}
        {{#trackingLink}}
        Your order: {{trackingLink}}
        {{/trackingLink}}

        {{shop}}

        """

    static let shippedHTML = """
        <!doctype html>
        <html><body style="font-family: sans-serif">
        <p>Hello {{name}},</p>
        <p>your order <strong>{{number}}</strong> is on its way with {{carrier}}, tracking number <strong>{{trackingNumber}}</strong>.</p>
        {{#carrierLink}}<p><a href="{{carrierLink}}">Track the parcel</a></p>{{/carrierLink}}
        {{#trackingLink}}<p><a href="{{trackingLink}}">Your order</a></p>{{/trackingLink}}
        <p>{{shop}}</p>
        </body></html>

        """

    static let cancelledText = """
        {{% CONTENT_TYPE: TEXT}}Hello {{name}},

        your order {{number}} was cancelled.
        {{#refunded}}
        We refunded {{refunded}} to your original payment method.
        {{/refunded}}

        {{shop}}

        """

    static let cancelledHTML = """
        <!doctype html>
        <html><body style="font-family: sans-serif">
        <p>Hello {{name}},</p>
        <p>your order <strong>{{number}}</strong> was cancelled.</p>
        {{#refunded}}<p>We refunded {{refunded}} to your original payment method.</p>{{/refunded}}
        <p>{{shop}}</p>
        </body></html>

        """
}
