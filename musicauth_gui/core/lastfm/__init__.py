"""Last.fm's web authentication and signed calls (not OAuth; ``presets/lastfm.py``).

Modules:
    signature: ``api_sig``, the MD5 signature every authenticated call carries.
    calls: a signed call's URL (``user.getInfo`` for "Try it" and the curl line); no httpx, for
        the lean ``musicauth token`` path.
    web_auth: the browser page, ``auth.getSession``, Last.fm's numbered errors as typed ones.
"""
