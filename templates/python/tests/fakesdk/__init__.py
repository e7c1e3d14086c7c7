"""A tiny hand-written stand-in for a generated SDK package: the runtime sits in it as ``_core``
(``_core`` is a symlink to ../../runtime), exactly where the generator copies it. The resources
below are written the way the generator emits them (see templates/python/README.md)."""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable, List

import httpx

from ._core import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_AFTER,
    DEFAULT_TIMEOUT,
    AsyncAPIClient,
    AsyncEventStream,
    AsyncPageRequest,
    BaseModel,
    ClientConfig,
    OpenEnum,
    RequestOptions,
    ServerSentEvent,
    SyncAPIClient,
    SyncCursorPage,
    SyncEventStream,
    TimeoutTypes,
    async_to_raw_response_wrapper,
    json_decoder,
    message_decoder,
    to_raw_response_wrapper,
)

CONFIG = ClientConfig(
    sdk_name="fake-sdk",
    sdk_version="1.2.3",
    default_base_url="http://127.0.0.1:9",
    api_key_header="X-API-Key",
    api_key_env="FAKE_API_KEY",
    bearer_token_env="FAKE_BEARER_TOKEN",
    base_url_env="FAKE_BASE_URL",
)


class Color(OpenEnum):
    """An open enum."""

    RED = "red"
    GREEN = "green"


class Item(BaseModel):
    id: str
    name: str
    color: Color | None = None


class ItemCreate(BaseModel):
    name: str
    color: Color | None = None


class ItemPatch(BaseModel):
    name: str | None = None
    color: Color | None = None


class Event(BaseModel):
    id: str
    type: str
    n: int


def _decode_event(strict: bool) -> Callable[[ServerSentEvent], Event | None]:
    """Each message's JSON data as `Event`: leniently, as answers, unless `strict`."""
    return json_decoder(message_decoder(Event, strict=strict))


class Items:
    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client

    @functools.cached_property
    def with_raw_response(self) -> ItemsWithRawResponse:
        return ItemsWithRawResponse(self)

    def create(self, body: ItemCreate, *, request_options: RequestOptions | None = None) -> Item:
        """Create an item (declares Idempotency-Key)."""
        return self._client.request(
            "post",
            "/items",
            cast_to=Item,
            body=body,
            idempotency_header="Idempotency-Key",
            options=request_options,
        )

    def retrieve(self, item_id: str, *, request_options: RequestOptions | None = None) -> Item:
        return self._client.request(
            "get",
            "/items/{item_id}",
            cast_to=Item,
            path_params={"item_id": item_id},
            options=request_options,
        )

    def update(
        self,
        item_id: str,
        body: ItemPatch,
        *,
        if_match: str | None = None,
        request_options: RequestOptions | None = None,
    ) -> Item:
        return self._client.request(
            "patch",
            "/items/{item_id}",
            cast_to=Item,
            path_params={"item_id": item_id},
            headers={"If-Match": if_match},
            body=body,
            content_type="application/merge-patch+json",
            options=request_options,
        )

    def delete(self, item_id: str, *, request_options: RequestOptions | None = None) -> None:
        return self._client.request(
            "delete",
            "/items/{item_id}",
            cast_to=type(None),
            path_params={"item_id": item_id},
            options=request_options,
        )

    def list(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        request_options: RequestOptions | None = None,
    ) -> SyncCursorPage[Item]:
        return self._client.request_page(
            "get",
            "/items",
            item=Item,
            query={"limit": limit, "cursor": cursor},
            options=request_options,
        )

    def stream(
        self,
        *,
        types: List[str] | None = None,
        last_event_id: str | None = None,
        request_options: RequestOptions | None = None,
        **reconnect: Any,
    ) -> SyncEventStream[Event]:
        return self._client.request_stream(
            "get",
            "/events",
            query={"types": types},
            decode=_decode_event(self._client.strict_response_validation),
            last_event_id=last_event_id,
            options=request_options,
            **reconnect,
        )


class ItemsWithRawResponse:
    def __init__(self, items: Items) -> None:
        self.create = to_raw_response_wrapper(items.create)
        self.retrieve = to_raw_response_wrapper(items.retrieve)
        self.update = to_raw_response_wrapper(items.update)
        self.delete = to_raw_response_wrapper(items.delete)
        self.list = to_raw_response_wrapper(items.list)


class AsyncItems:
    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client

    @functools.cached_property
    def with_raw_response(self) -> AsyncItemsWithRawResponse:
        return AsyncItemsWithRawResponse(self)

    async def create(
        self, body: ItemCreate, *, request_options: RequestOptions | None = None
    ) -> Item:
        return await self._client.request(
            "post",
            "/items",
            cast_to=Item,
            body=body,
            idempotency_header="Idempotency-Key",
            options=request_options,
        )

    async def retrieve(
        self, item_id: str, *, request_options: RequestOptions | None = None
    ) -> Item:
        return await self._client.request(
            "get",
            "/items/{item_id}",
            cast_to=Item,
            path_params={"item_id": item_id},
            options=request_options,
        )

    def list(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        request_options: RequestOptions | None = None,
    ) -> AsyncPageRequest[Item]:
        return self._client.request_page(
            "get",
            "/items",
            item=Item,
            query={"limit": limit, "cursor": cursor},
            options=request_options,
        )

    def stream(
        self,
        *,
        types: List[str] | None = None,
        last_event_id: str | None = None,
        request_options: RequestOptions | None = None,
        **reconnect: Any,
    ) -> AsyncEventStream[Event]:
        return self._client.request_stream(
            "get",
            "/events",
            query={"types": types},
            decode=_decode_event(self._client.strict_response_validation),
            last_event_id=last_event_id,
            options=request_options,
            **reconnect,
        )


class AsyncItemsWithRawResponse:
    def __init__(self, items: AsyncItems) -> None:
        self.create = async_to_raw_response_wrapper(items.create)
        self.retrieve = async_to_raw_response_wrapper(items.retrieve)
        self.list = async_to_raw_response_wrapper(items.list)


class FakeSDK(SyncAPIClient):
    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        bearer_token: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
        default_headers: dict[str, str] | None = None,
        logger: logging.Logger | None = None,
        strict_response_validation: bool = False,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            config=CONFIG,
            base_url=base_url,
            api_key=api_key,
            bearer_token=bearer_token,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_after=max_retry_after,
            default_headers=default_headers,
            logger=logger,
            strict_response_validation=strict_response_validation,
            http_client=http_client,
        )
        self.items = Items(self)


class AsyncFakeSDK(AsyncAPIClient):
    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        bearer_token: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
        default_headers: dict[str, str] | None = None,
        logger: logging.Logger | None = None,
        strict_response_validation: bool = False,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            config=CONFIG,
            base_url=base_url,
            api_key=api_key,
            bearer_token=bearer_token,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_after=max_retry_after,
            default_headers=default_headers,
            logger=logger,
            strict_response_validation=strict_response_validation,
            http_client=http_client,
        )
        self.items = AsyncItems(self)
