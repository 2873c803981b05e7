from django_tasks import task

from matchmaking import lifecycle
from services.models import Need


@task()
def offer_need(need_id: int) -> None:
    need = Need.objects.filter(pk=need_id).first()
    if need is not None:
        lifecycle.need_offer_next(need=need)


@task()
def expire_offers() -> int:
    return lifecycle.expire_offers()


@task()
def check_expiry_sweep() -> list[int]:
    from matchmaking.safeguarding import check_expiry_sweep as sweep

    return list(sweep())
