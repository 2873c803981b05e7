"""Texts through GOV.UK Notify with its official client (notifications-python-client).

The template lives in Notify; its whole content is `((message))`, so every text Kith
sends goes through one template and its wording stays in Kith's own (translatable) code.
"""

from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient
from requests import RequestException

from matchmaking.channels import ChannelError


class NotifyTextChannel:
    def __init__(self, *, api_key, base_url, template_id, timeout, email_template_id=""):
        self.client = NotificationsAPIClient(api_key, base_url=base_url, timeout=timeout)
        self.template_id = template_id
        self.email_template_id = email_template_id

    def send_text(self, *, phone, message, reference):
        return self._send(
            self.client.send_sms_notification,
            phone_number=phone,
            template_id=self.template_id,
            personalisation={"message": message},
            reference=reference,
        )

    def send_email(self, *, email, subject, body, reference):
        """An email through Notify's email template, whose content is ((subject)) and
        ((body)), as the text template's is ((message))."""
        return self._send(
            self.client.send_email_notification,
            email_address=email,
            template_id=self.email_template_id,
            personalisation={"subject": subject, "body": body},
            reference=reference,
        )

    def _send(self, method, **arguments):
        try:
            response = method(**arguments)
        except HTTPError as error:
            # 400 (a bad number, a team key and a number outside the team) and 403 (a bad
            # key) will fail again; 429 and 5xx may pass later.
            status = error.status_code or 0
            permanent = status in (400, 403)
            raise ChannelError(f"GOV.UK Notify answered {status}", permanent=permanent) from None
        except RequestException as error:
            raise ChannelError(f"GOV.UK Notify unreachable: {type(error).__name__}") from None
        return response["id"]
