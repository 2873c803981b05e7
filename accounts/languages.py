"""The language a person reads Kith in: a visitor's cookie, a signed-in person's account.

LocaleMiddleware picks the language of a request from the cookie, then Accept-Language;
`AccountLanguageMiddleware` (after authentication) puts a signed-in person's own language
over that, and English over everything in the admin (staff pages are not translated).
"""

import functools

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise, lazy

ENGLISH = "en-gb"
ADMIN_PREFIX = "/admin/"


def language_supported(code):
    """`code` as one of settings.LANGUAGES (a variant such as "cy-gb" → "cy"), or English."""
    try:
        return translation.get_supported_language_variant(code or "")
    except LookupError:
        return ENGLISH


def user_language_set(*, user, language):
    """Store the language `user` reads Kith in (their pages, emails and texts); returns it.

    An unknown code is stored as English.
    """
    language = language_supported(language)
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return language


def language_cookie_set(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def languages_for_addresses(addresses):
    """{address: the language of the account with it, or None} for these email addresses."""
    from accounts.models import User

    languages = dict(User.objects.filter(email__in=addresses).values_list("email", "language"))
    return {address: languages.get(address) for address in addresses}


def lazy_message(text, **params):
    """A message to people, read in each reader's language: `text` (marked with
    gettext_lazy) with `params` filled in when it is read (`read_in`), not when it is made.

    Params may be lazy too (a status's label, a category's name): they are read alongside.
    """

    return _message_read_lazy(text, params)


def _message_read(text, params):
    values = {
        name: str(value) if isinstance(value, Promise) else value for name, value in params.items()
    }
    return str(text) % values if values else str(text)


# Made once: `lazy` builds a new proxy class on every call (about 0.4 ms, more than the rest
# of a notification's text).
_message_read_lazy = lazy(_message_read, str)


def memoised_per_language(function):
    """`function`, remembered per arguments and active language: a batch of offers reads the
    same few kinds of help and dates thousands of times, in each reader's language."""
    remembered = functools.lru_cache(maxsize=512)(lambda language, *args: function(*args))
    return functools.wraps(function)(lambda *args: remembered(translation.get_language(), *args))


@memoised_per_language
def _lowercase_translation(text):
    return translation.gettext(text).lower()


# A name kept in English in the database (a kind of help), read translated and in lower case
# in the reader's language.
lowercase_translation_lazy = lazy(_lowercase_translation, str)


def read_in(language, message):
    """`message` as the person who reads Kith in `language` reads it (a plain string stays
    as it is)."""
    return read_in_each([(language, message)])[0]


def read_in_each(readings):
    """[read_in(language, message) for language, message in readings], switching to each
    language once, not once a message (a batch allocation notifies thousands at once)."""
    read = [message for _, message in readings]
    by_language: dict[str, list[int]] = {}
    for position, (language, message) in enumerate(readings):
        if isinstance(message, Promise):
            by_language.setdefault(language_supported(language), []).append(position)
    for language, positions in by_language.items():
        with translation.override(language):
            for position in positions:
                read[position] = str(read[position])
    return read


class AccountLanguageMiddleware:
    """A signed-in person's own language over the cookie's; English in the admin.

    The cookie follows the account, so the pages stay in that language after signing out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        account_language = None
        if request.path.startswith(ADMIN_PREFIX):
            language = ENGLISH
        elif user is not None and user.is_authenticated:
            language = account_language = language_supported(user.language)
        else:
            language = None
        if language is not None and language != request.LANGUAGE_CODE:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if account_language is not None and cookie != account_language:
            language_cookie_set(response, account_language)
        return response
