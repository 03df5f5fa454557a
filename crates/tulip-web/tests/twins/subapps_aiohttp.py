# The aiohttp side of tests/subapps.rs: the same applications as
# `twin_app()` there. Prints the port, serves until stdin closes, then
# prints the hook log (start-up and clean-up order).
from aiohttp import web
from twin_serve import serve

K = web.AppKey("k", str)
P = web.AppKey("p", str)
log = []


def mw(tag):
    @web.middleware
    async def m(request, handler):
        seen = request.app[K]
        try:
            resp = await handler(request)
        except web.HTTPException as e:
            e.headers["x-mw-" + tag] = seen
            raise
        resp.headers["x-mw-" + tag] = seen
        return resp
    return m


async def info(request):
    cd = request.config_dict
    try:
        url = str(request.app.router["item"].url_for(id="7 8"))
    except KeyError:
        url = "-"
    mi = ",".join(f"{k}={v}" for k, v in request.match_info.items())
    return web.Response(text=f"app={request.app[K]} p={cd.get(P, '-')} k={cd[K]} path={request.path} mi={mi} url={url}")


def hooks(app, name):
    async def ctx(app):
        log.append(f"{name} ctx up")
        yield
        log.append(f"{name} ctx down")
    app.cleanup_ctx.append(ctx)
    for sig in ("startup", "shutdown", "cleanup"):
        async def hook(app, sig=sig):
            log.append(f"{name} {sig} {app[K]}")
        getattr(app, "on_" + sig).append(hook)


def build():
    parent = web.Application(middlewares=[mw("p1"), mw("p2")])
    parent[K] = "parent"
    parent[P] = "pv"
    hooks(parent, "parent1")
    parent.add_routes([
        web.get("/{tail:.*}", lambda r: web.Response(text="tail")),
        web.get("/plain", info),
        web.get("/hooks", lambda r: web.Response(text=";".join(log))),
    ])
    sub = web.Application(middlewares=[mw("s1")])
    sub[K] = "sub"
    hooks(sub, "sub")
    sub.add_routes([web.get("/", info), web.get("/items/{id}", info, name="item"), web.post("/only-post", info)])
    inner = web.Application()
    inner[K] = "inner"
    inner.add_routes([web.get("/x/{id}", info, name="item")])
    sub.add_subapp("/inner", inner)
    parent.add_subapp("/admin/", sub)
    hooks(parent, "parent2")
    return parent


serve(build(), after=lambda: ";".join(log))
