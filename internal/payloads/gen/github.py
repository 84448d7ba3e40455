#!/usr/bin/env python3
"""Generates internal/payloads/github_*.json: GitHub REST API answers in the
full shapes of GitHub's REST reference (API version 2022-11-28), at the sizes
of real pages. Deterministic: run it again and the files do not change.
Run from the repository root: python3 internal/payloads/gen/github.py (it
reads github_user_repos.json, the recorded page, from the same folder)."""
import base64, json, os, random, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "internal/payloads"
rnd = random.Random(13)
API = "https://api.github.com"
WEB = "https://github.com"
OWNER, REPO = "octocat", "Hello-World"
FULL = OWNER + "/" + REPO
RAPI = f"{API}/repos/{FULL}"

def user(login, uid, typ="User"):
    return {
        "login": login, "id": uid, "node_id": base64.b64encode(f"04:User{uid}".encode()).decode(),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4", "gravatar_id": "",
        "url": f"{API}/users/{login}", "html_url": f"{WEB}/{login}",
        "followers_url": f"{API}/users/{login}/followers",
        "following_url": f"{API}/users/{login}/following{{/other_user}}",
        "gists_url": f"{API}/users/{login}/gists{{/gist_id}}",
        "starred_url": f"{API}/users/{login}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{API}/users/{login}/subscriptions",
        "organizations_url": f"{API}/users/{login}/orgs", "repos_url": f"{API}/users/{login}/repos",
        "events_url": f"{API}/users/{login}/events{{/privacy}}",
        "received_events_url": f"{API}/users/{login}/received_events",
        "type": typ, "user_view_type": "public", "site_admin": False,
    }

USERS = [user(l, i) for l, i in [("octocat", 583231), ("hubot", 480938), ("monalisa", 2), ("defunkt", 2001),
                                 ("mojombo", 1), ("pjhyett", 3), ("wycats", 4), ("ezmobius", 5)]]
LABELS = [
    (208045946, "bug", "Something isn't working", "d73a4a", True),
    (208045947, "enhancement", "New feature or request", "a2eeef", True),
    (208045948, "documentation", "Improvements or additions to documentation", "0075ca", True),
    (208045949, "good first issue", "Good for newcomers", "7057ff", True),
    (208045950, "help wanted", "Extra attention is needed", "008672", True),
    (208045951, "performance", "Slower than it should be", "fbca04", False),
]

def label(l):
    i, name, desc, color, default = l
    return {"id": i, "node_id": base64.b64encode(f"06:Label{i}".encode()).decode(),
            "url": f"{RAPI}/labels/{name.replace(' ', '%20')}", "name": name, "color": color,
            "default": default, "description": desc}

def milestone(n):
    return {"url": f"{RAPI}/milestones/{n}", "html_url": f"{WEB}/{FULL}/milestone/{n}",
            "labels_url": f"{RAPI}/milestones/{n}/labels", "id": 1002604 + n,
            "node_id": base64.b64encode(f"09:Milestone{n}".encode()).decode(), "number": n, "state": "open",
            "title": f"v{n}.0", "description": f"Tracking milestone for version {n}.0", "creator": USERS[0],
            "open_issues": 4 + n, "closed_issues": 8 * n, "created_at": "2011-04-10T20:09:31Z",
            "updated_at": "2014-03-03T18:58:10Z", "closed_at": None, "due_on": "2012-10-09T23:39:01Z"}

def reactions(url):
    c = [rnd.choice([0, 0, 0, 1, 2, 5]) for _ in range(8)]
    d = {"url": url, "total_count": sum(c)}
    for k, v in zip(["+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes"], c):
        d[k] = v
    return d

WORDS = ("the a build fails when running tests on windows go module cache path is too long "
         "expected output differs after upgrading to version we should document this behaviour "
         "in the readme and add a regression test see also the stack trace below panic runtime "
         "error index out of range goroutine config parser handles unicode names").split()

def para(n):
    return " ".join(rnd.choice(WORDS) for _ in range(n)).capitalize() + "."

def body(kind):
    if kind == 0:
        return None
    parts = ["### Steps to reproduce", "1. " + para(8), "2. " + para(10), "", "### Expected", para(20),
             "", "### Actual", "```", "panic: runtime error: index out of range [3] with length 3",
             "goroutine 1 [running]:", "main.main()", "\t/src/main.go:12 +0x1d", "```", "", para(30)]
    if kind == 2:  # a long one, past the list tools' 2000 bytes
        parts += [para(40) for _ in range(12)] + ["Ünïcödé at the edge: " + "é" * 400]
    return "\r\n".join(parts)

def issue(n, is_pr=False, state="open", comments=None):
    u = rnd.choice(USERS)
    labels = [label(l) for l in rnd.sample(LABELS, rnd.choice([0, 1, 1, 2, 3]))]
    assignees = rnd.sample(USERS, rnd.choice([0, 0, 1, 2]))
    ms = milestone(rnd.choice([1, 2])) if rnd.random() < 0.4 else None
    closed = state == "closed"
    d = {
        "url": f"{RAPI}/issues/{n}", "repository_url": RAPI, "labels_url": f"{RAPI}/issues/{n}/labels{{/name}}",
        "comments_url": f"{RAPI}/issues/{n}/comments", "events_url": f"{RAPI}/issues/{n}/events",
        "html_url": f"{WEB}/{FULL}/{'pull' if is_pr else 'issues'}/{n}", "id": 1000000 + n,
        "node_id": base64.b64encode(f"05:Issue{n}".encode()).decode(), "number": n,
        "title": para(rnd.randint(4, 10))[:-1], "user": u, "labels": labels,
        "state": state, "locked": False, "assignee": assignees[0] if assignees else None,
        "assignees": assignees, "milestone": ms,
        "comments": rnd.choice([0, 1, 3, 7, 12]) if comments is None else comments,
        "created_at": f"2024-0{1 + n % 9}-1{n % 10}T1{n % 10}:0{n % 6}:3{n % 10}Z",
        "updated_at": f"2024-0{1 + n % 9}-2{n % 8}T0{n % 10}:1{n % 6}:2{n % 10}Z",
        "closed_at": "2024-10-01T12:00:00Z" if closed else None,
        "author_association": rnd.choice(["OWNER", "MEMBER", "CONTRIBUTOR", "NONE", "COLLABORATOR"]),
        "type": None, "active_lock_reason": None, "sub_issues_summary": {"total": 0, "completed": 0, "percent_completed": 0},
        "body": body(rnd.choice([0, 1, 1, 1, 2]) if n % 7 else 2),
        "closed_by": rnd.choice(USERS) if closed else None,
        "reactions": reactions(f"{RAPI}/issues/{n}/reactions"),
        "timeline_url": f"{RAPI}/issues/{n}/timeline", "performed_via_github_app": None,
        "state_reason": "completed" if closed else None,
    }
    if is_pr:
        d["draft"] = n % 5 == 0
        d["pull_request"] = {"url": f"{RAPI}/pulls/{n}", "html_url": f"{WEB}/{FULL}/pull/{n}",
                             "diff_url": f"{WEB}/{FULL}/pull/{n}.diff", "patch_url": f"{WEB}/{FULL}/pull/{n}.patch",
                             "merged_at": "2024-10-01T12:00:00Z" if closed else None}
    return d

def comment(i, n):
    cid = 1500000000 + i
    return {"url": f"{RAPI}/issues/comments/{cid}", "html_url": f"{WEB}/{FULL}/issues/{n}#issuecomment-{cid}",
            "issue_url": f"{RAPI}/issues/{n}", "id": cid,
            "node_id": base64.b64encode(f"012:IssueComment{cid}".encode()).decode(),
            "user": rnd.choice(USERS), "created_at": f"2024-02-{10 + i % 18}T0{i % 10}:00:00Z",
            "updated_at": f"2024-02-{10 + i % 18}T0{i % 10}:30:00Z",
            "author_association": rnd.choice(["OWNER", "MEMBER", "CONTRIBUTOR", "NONE"]),
            "body": (para(rnd.randint(10, 60)) if i != 3 else "\n\n".join(para(50) for _ in range(40))),
            "reactions": reactions(f"{RAPI}/issues/comments/{cid}/reactions"), "performed_via_github_app": None}

repos = json.load(open(os.path.join(OUT, "github_user_repos.json")))

def repo_obj(i):
    r = dict(repos[i % len(repos)])
    r.pop("permissions", None)
    return r

def pr(n, full=False, state="open"):
    u = rnd.choice(USERS)
    base_repo = json.loads(json.dumps(repo_obj(0)).replace("octocat/repo-00", FULL).replace('"repo-00"', '"' + REPO + '"'))
    head_repo = repo_obj(n % 7 + 1) if n % 3 else base_repo
    closed = state == "closed"
    links = {k: {"href": v} for k, v in [
        ("self", f"{RAPI}/pulls/{n}"), ("html", f"{WEB}/{FULL}/pull/{n}"), ("issue", f"{RAPI}/issues/{n}"),
        ("comments", f"{RAPI}/issues/{n}/comments"), ("review_comments", f"{RAPI}/pulls/{n}/comments"),
        ("review_comment", f"{RAPI}/pulls/comments{{/number}}"), ("commits", f"{RAPI}/pulls/{n}/commits"),
        ("statuses", f"{RAPI}/statuses/6dcb09b5b57875f334f61aebed695e2e4193db5e")]}
    sha = lambda s: "%040x" % rnd.getrandbits(160)
    d = {
        "url": f"{RAPI}/pulls/{n}", "id": 2000000 + n, "node_id": base64.b64encode(f"011:PullRequest{n}".encode()).decode(),
        "html_url": f"{WEB}/{FULL}/pull/{n}", "diff_url": f"{WEB}/{FULL}/pull/{n}.diff",
        "patch_url": f"{WEB}/{FULL}/pull/{n}.patch", "issue_url": f"{RAPI}/issues/{n}",
        "commits_url": f"{RAPI}/pulls/{n}/commits", "review_comments_url": f"{RAPI}/pulls/{n}/comments",
        "review_comment_url": f"{RAPI}/pulls/comments{{/number}}", "comments_url": f"{RAPI}/issues/{n}/comments",
        "statuses_url": f"{RAPI}/statuses/{sha(0)}", "number": n, "state": state, "locked": False,
        "title": para(rnd.randint(4, 9))[:-1], "user": u, "body": body(rnd.choice([0, 1, 1, 2])),
        "labels": [label(l) for l in rnd.sample(LABELS, rnd.choice([0, 1, 2]))],
        "milestone": milestone(1) if n % 4 == 0 else None, "active_lock_reason": None,
        "created_at": f"2024-03-{10 + n % 18}T10:00:00Z", "updated_at": f"2024-03-{11 + n % 17}T10:00:00Z",
        "closed_at": "2024-04-01T12:00:00Z" if closed else None,
        "merged_at": "2024-04-01T12:00:00Z" if closed else None,
        "merge_commit_sha": sha(0), "assignee": None, "assignees": rnd.sample(USERS, rnd.choice([0, 1])),
        "requested_reviewers": rnd.sample(USERS, rnd.choice([0, 1, 2])), "requested_teams": [],
        "head": {"label": f"{head_repo['owner']['login']}:feature-{n}", "ref": f"feature-{n}", "sha": sha(0),
                 "user": head_repo["owner"], "repo": head_repo if n % 11 else None},
        "base": {"label": f"{OWNER}:main", "ref": "main", "sha": sha(0), "user": base_repo["owner"], "repo": base_repo},
        "_links": links, "author_association": "CONTRIBUTOR", "auto_merge": None, "draft": n % 5 == 0,
    }
    if full:
        d.update({"merged": closed, "mergeable": True, "rebaseable": True, "mergeable_state": "clean",
                  "merged_by": USERS[0] if closed else None, "comments": 10, "review_comments": 3,
                  "maintainer_can_modify": True, "commits": 3, "additions": 1203, "deletions": 240, "changed_files": 35})
    return d

def pr_file(i):
    name = ["pdk/client.go", "pdk/status.go", "README.md", "plugins/github/api.go", "go.mod", "docs/logo.png"][i % 6]
    if i >= 6:
        name = f"internal/pkg{i}/file{i}.go"
    status = ["modified", "added", "removed", "renamed", "modified", "added"][i % 6]
    add, dele = rnd.randint(0, 120), rnd.randint(0, 40)
    f = {"sha": "%040x" % rnd.getrandbits(160), "filename": name, "status": status, "additions": add,
         "deletions": dele, "changes": add + dele,
         "blob_url": f"{WEB}/{FULL}/blob/6dcb09b5b57875f334f61aebed695e2e4193db5e/{name}",
         "raw_url": f"{WEB}/{FULL}/raw/6dcb09b5b57875f334f61aebed695e2e4193db5e/{name}",
         "contents_url": f"{RAPI}/contents/{name}?ref=6dcb09b5b57875f334f61aebed695e2e4193db5e"}
    if status == "renamed":
        f["previous_filename"] = name.replace(".go", "_old.go")
    if not name.endswith(".png"):
        lines = [f"@@ -{i * 10 + 1},7 +{i * 10 + 1},{7 + add - dele} @@ func example{i}() {{"]
        for k in range(add if i != 2 else 400):
            lines.append("+\t" + para(8))
        for k in range(dele):
            lines.append("-\t" + para(6))
        f["patch"] = "\n".join(lines)
    return f

def notification(i):
    r = repo_obj(i)
    minimal = {k: r[k] for k in r if k not in ("created_at", "updated_at", "pushed_at", "homepage", "size",
               "stargazers_count", "watchers_count", "language", "forks_count", "open_issues_count",
               "default_branch", "license", "topics", "visibility", "forks", "open_issues", "watchers",
               "has_issues", "has_projects", "has_downloads", "has_wiki", "has_pages", "has_discussions",
               "mirror_url", "archived", "disabled", "allow_forking", "is_template",
               "web_commit_signoff_required", "clone_url", "git_url", "ssh_url", "svn_url")}
    typ = ["Issue", "PullRequest", "Release", "Discussion", "CheckSuite"][i % 5]
    n = 100 + i
    url = {"Issue": f"{API}/repos/{r['full_name']}/issues/{n}", "PullRequest": f"{API}/repos/{r['full_name']}/pulls/{n}",
           "Release": f"{API}/repos/{r['full_name']}/releases/{n}", "Discussion": None, "CheckSuite": None}[typ]
    return {"id": str(9000000000 + i), "repository": minimal,
            "subject": {"title": para(6)[:-1], "url": url,
                        "latest_comment_url": f"{API}/repos/{r['full_name']}/issues/comments/{1500000000 + i}" if typ in ("Issue", "PullRequest") else url,
                        "type": typ},
            "reason": ["mention", "review_requested", "subscribed", "author", "comment", "ci_activity", "assign"][i % 7],
            "unread": i % 3 != 0, "updated_at": f"2024-05-{10 + i % 18}T08:00:00Z",
            "last_read_at": None if i % 3 else "2024-05-01T08:00:00Z",
            "url": f"{API}/notifications/threads/{9000000000 + i}",
            "subscription_url": f"{API}/notifications/threads/{9000000000 + i}/subscription"}

def content_obj(path, text, typ="file"):
    name = path.rsplit("/", 1)[-1]
    sha = "3d21ec53a331a6f037a91c368710b99387d012c1"
    enc = base64.b64encode(text.encode()).decode()
    enc = "\n".join(enc[i:i + 60] for i in range(0, len(enc), 60)) + "\n"
    return {"type": typ, "encoding": "base64", "size": len(text.encode()), "name": name, "path": path,
            "content": enc, "sha": sha, "url": f"{RAPI}/contents/{path}?ref=master",
            "git_url": f"{RAPI}/git/blobs/{sha}", "html_url": f"{WEB}/{FULL}/blob/master/{path}",
            "download_url": f"https://raw.githubusercontent.com/{FULL}/master/{path}",
            "_links": {"self": f"{RAPI}/contents/{path}?ref=master", "git": f"{RAPI}/git/blobs/{sha}",
                       "html": f"{WEB}/{FULL}/blob/master/{path}"}}

def dir_entry(name, typ, size):
    sha = "%040x" % rnd.getrandbits(160)
    return {"name": name, "path": name, "sha": sha, "size": size, "url": f"{RAPI}/contents/{name}?ref=master",
            "html_url": f"{WEB}/{FULL}/{'tree' if typ == 'dir' else 'blob'}/master/{name}",
            "git_url": f"{RAPI}/git/{'trees' if typ == 'dir' else 'blobs'}/{sha}",
            "download_url": None if typ == "dir" else f"https://raw.githubusercontent.com/{FULL}/master/{name}",
            "type": typ, "_links": {"self": f"{RAPI}/contents/{name}?ref=master",
                                    "git": f"{RAPI}/git/blobs/{sha}", "html": f"{WEB}/{FULL}/blob/master/{name}"}}

def write(name, v):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(v, f, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

# A page of 30 issues, 8 of them pull requests, 5 closed.
write("github_issues.json", [issue(1347 - i, is_pr=i % 4 == 1, state="closed" if i % 6 == 5 else "open") for i in range(30)])
one = issue(1347, comments=30)
one["body"] = body(2)
write("github_issue.json", one)
write("github_issue_comments.json", [comment(i, 1347) for i in range(30)])
items = []
for i in range(30):
    it = issue(900 + i, is_pr=i % 3 == 0)
    it["score"] = 1.0
    items.append(it)
write("github_search_issues.json", {"total_count": 2817, "incomplete_results": False, "items": items})
sr = []
for i in range(30):
    r = repo_obj(i)
    r["score"] = 1.0
    sr.append(r)
write("github_search_repos.json", {"total_count": 40123, "incomplete_results": False, "items": sr})
write("github_pulls.json", [pr(1400 - i, state="closed" if i % 5 == 4 else "open") for i in range(30)])
write("github_pull.json", pr(1347, full=True))
write("github_pull_files.json", [pr_file(i) for i in range(30)])
write("github_notifications.json", [notification(i) for i in range(30)])
readme = "# Hello-World\n\n" + "\n\n".join(para(40) for _ in range(40)) + "\n\nÜnïcödé: 世界\n"
write("github_content_file.json", content_obj("README.md", readme))
write("github_content_dir.json", [dir_entry(n, t, s) for n, t, s in [
    (".github", "dir", 0), ("cmd", "dir", 0), ("docs", "dir", 0), ("internal", "dir", 0), ("pdk", "dir", 0),
    ("plugins", "dir", 0), (".gitignore", "file", 112), ("LICENSE", "file", 11357), ("Makefile", "file", 2410),
    ("README.md", "file", len(readme.encode())), ("go.mod", "file", 1210), ("go.sum", "file", 8930)]])
created = issue(1348, comments=0)
created["user"] = USERS[0]
created["title"] = "Found a bug"
created["body"] = "I'm having a problem with this."
created["labels"] = [label(LABELS[0])]
created["assignees"] = [USERS[0]]
created["assignee"] = USERS[0]
created["reactions"] = reactions(f"{RAPI}/issues/1348/reactions") | {k: 0 for k in ["+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes", "total_count"]}
write("github_issue_created.json", created)
c = comment(99, 1347)
c["user"] = USERS[0]
c["body"] = "Me too"
write("github_comment_created.json", c)
