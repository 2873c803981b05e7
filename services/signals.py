from django.dispatch import Signal

# Sent (after commit) when a need is open for matching. services cannot import
# matchmaking, so the matching app subscribes to this instead of being called.
need_opened = Signal()  # sender=Need, need=<Need>
