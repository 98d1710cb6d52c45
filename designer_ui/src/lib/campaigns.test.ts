import { describe, expect, it } from "vitest";
import {
  CAMPAIGN_PAGE,
  MAX_CAMPAIGN_PAGE,
  answerShares,
  awaitingRetry,
  campaignState,
  campaignTitle,
  calledClients,
  calledPercent,
  cancelledClients,
  changesByItself,
  failedCalls,
  finishedClients,
  finishedPercent,
  mayBePaused,
  mayBeResumed,
  mayBeStopped,
  nextCall,
  percentText,
  reachedWithoutAnswer,
  refreshLimit,
  sparedByStop,
  statusShares,
  waitingClients,
  withCampaign,
  withNewest,
  withNextPage,
} from "./campaigns";
import type { Campaign } from "../api/types";
import { translator } from "./i18n";
import { campaignOf } from "../testSupport";

const campaign = campaignOf;

describe("a campaign's clients by status", () => {
  it("lists every status in the dialer's order, zeros included, with its share of the list", () => {
    const shares = statusShares(campaign({ done: 2, pending: 6 }));
    expect(shares.map((s) => [s.status, s.count])).toEqual([
      ["pending", 6],
      ["dialing", 0],
      ["done", 2],
      ["failed", 0],
      ["expired", 0],
      ["cancelled", 0],
    ]);
    expect(shares[0]!.percent).toBe(75);
    expect(shares[2]!.percent).toBe(25);
  });

  it("keeps a status it does not know, last, so the counts still add up", () => {
    const shares = statusShares(campaign({ pending: 1, paused: 3 }));
    expect(shares.at(-1)).toEqual({ status: "paused", count: 3, percent: 75 });
    expect(shares.reduce((sum, s) => sum + s.count, 0)).toBe(4);
  });

  it("gives no share of an empty list rather than dividing by zero", () => {
    expect(statusShares(campaign({})).every((s) => s.percent === 0)).toBe(true);
  });

  it("counts as called the clients whose dialing ran its course, and those a stop cancelled apart", () => {
    const c = campaign({ pending: 3, dialing: 1, done: 4, failed: 1, expired: 1, cancelled: 2 });
    expect(waitingClients(c)).toBe(3);
    expect(calledClients(c)).toBe(6);
    expect(cancelledClients(c)).toBe(2);
  });

  it("does not count a campaign stopped before its first call as called through (QA: 'Handled: 3 of 3 (100%)')", () => {
    const stopped = campaign({ cancelled: 3 });
    expect([calledClients(stopped), cancelledClients(stopped), calledPercent(stopped)]).toEqual([0, 3, 0]);
    expect(calledPercent(campaign({ done: 1, failed: 1, cancelled: 2 }))).toBe(50);
    expect(calledPercent(campaign({}))).toBe(0);
  });
});

describe("a campaign's state, and whether it may be stopped", () => {
  it("runs while anyone is waiting or being called", () => {
    expect(campaignState(campaign({ pending: 1, done: 5 }))).toBe("running");
    expect(campaignState(campaign({ dialing: 1, cancelled: 5 }))).toBe("running");
  });

  it("is stopped once over with clients cancelled, else finished", () => {
    expect(campaignState(campaign({ done: 2, cancelled: 5 }))).toBe("stopped");
    expect(campaignState(campaign({ done: 2, failed: 1, expired: 1 }))).toBe("finished");
  });

  it("may be stopped only while somebody waits: a call ringing now is not stopped", () => {
    expect(mayBeStopped(campaign({ pending: 1 }))).toBe(true);
    expect(mayBeStopped(campaign({ dialing: 2, done: 1 }))).toBe(false);
  });

  it("says how many clients a stop spared, from the counts before and after", () => {
    expect(sparedByStop(campaign({ pending: 3, cancelled: 1 }), campaign({ cancelled: 4 }))).toBe(3);
    expect(sparedByStop(campaign({ done: 1 }), campaign({ done: 1 }))).toBe(0);
  });
});

describe("what the clients answered", () => {
  it("lists answers the most frequent first, ties by name, each with its share of the list", () => {
    const c = campaign({ done: 8, pending: 12 }, { confirmed: 2, will_pay: 5, agent: 2 });
    expect(answerShares(c)).toEqual([
      { result: "will_pay", count: 5, percent: 25 },
      { result: "agent", count: 2, percent: 10 },
      { result: "confirmed", count: 2, percent: 10 },
    ]);
  });

  it("counts clients reached who gave no answer, never below zero", () => {
    expect(reachedWithoutAnswer(campaign({ done: 8 }, { will_pay: 5 }))).toBe(3);
    expect(reachedWithoutAnswer(campaign({ done: 1 }, { will_pay: 2 }))).toBe(0);
  });

  it("counts them against every client reached: one promised a callback answered, and waits", () => {
    // One paid, one hung up during the greeting, one asked for an operator and waits for the call back (pending):
    // against `done` (2) the two answers left nobody, and the client who hung up went unreported.
    const c = { ...campaign({ done: 2, pending: 1 }, { will_pay: 1, operator_unavailable: 1 }), reached: 3 };
    expect(reachedWithoutAnswer(c)).toBe(1);
    expect(reachedWithoutAnswer({ ...c, reached: null })).toBe(0); // a server that does not count them: `done`
  });
});

describe("shares as text", () => {
  it("rounds to a whole percent, but shows a few as <1% and almost all as >99%", () => {
    expect(percentText(0)).toBe("0%");
    expect(percentText(0.2)).toBe("<1%");
    expect(percentText(33.3)).toBe("33%");
    expect(percentText(99.6)).toBe(">99%");
    expect(percentText(100)).toBe("100%");
  });
});

describe("the list after a campaign's counts change", () => {
  it("puts the fresh counts in place of that campaign's, and leaves the others", () => {
    const list = [campaign({ pending: 3 }, {}, "a"), campaign({ done: 1 }, {}, "b")];
    const fresh = campaign({ cancelled: 3 }, {}, "a");
    const next = withCampaign(list, fresh);
    expect(next[0]).toBe(fresh);
    expect(next[1]).toBe(list[1]);
  });
});

describe("what a campaign is called", () => {
  it("is its name as given", () => {
    expect(campaignTitle({ ...campaign({}), name: "debts-november" }, translator("en"), "en")).toBe("debts-november");
  });

  it.each([
    ["en", "Call list of Dec 1, 2026"],
    ["es", "Lista de llamadas del 1 dic 2026"],
    ["ru", "Список обзвона от 1 дек. 2026 г."],
  ] as const)("without one (%s), is the call list of the day it was imported", (language, title) => {
    expect(campaignTitle(campaign({}), translator(language), language)).toBe(title);
    expect(campaignTitle({ ...campaign({}), name: "  " }, translator(language), language)).toBe(title);
  });
});

describe("the next call", () => {
  it("is said while the campaign runs, and not once nobody waits", () => {
    const due = "2026-12-02T09:00:00Z";
    expect(nextCall({ ...campaign({ pending: 2, done: 1 }), next_due: due })).toBe(due);
    expect(nextCall({ ...campaign({ done: 2, cancelled: 1 }), next_due: due })).toBeNull();
    expect(nextCall(campaign({ dialing: 1 }))).toBeNull();
  });
});

describe("the list of campaigns, a page at a time", () => {
  const page = (ids: string[]) => ids.map((id) => campaign({ pending: 1 }, {}, id));
  const ids = (list: Campaign[]) => list.map((c) => c.campaign_id);

  it("appends the next page, offering more while pages come back full", () => {
    const next = withNextPage({ list: page(["a", "b"]), more: true }, page(["c", "d"]), 2);
    expect(ids(next.list)).toEqual(["a", "b", "c", "d"]);
    expect(next.more).toBe(true);
  });

  it("offers no more once a page comes back shorter than asked", () => {
    expect(withNextPage({ list: page(["a", "b"]), more: true }, page(["c"]), 2).more).toBe(false);
    expect(withNextPage({ list: page(["a", "b"]), more: true }, [], 2).more).toBe(false);
  });

  it("lists a campaign once when pages overlap (lists imported meanwhile), with its fresher counts", () => {
    const held = page(["a", "b", "c"]);
    const fresher = campaign({ done: 1 }, {}, "c");
    const next = withNextPage({ list: held, more: true }, [fresher, ...page(["d", "e"])], 3);
    expect(ids(next.list)).toEqual(["a", "b", "c", "d", "e"]);
    expect(next.list[2]).toBe(fresher);
    expect(next.list[0]).toBe(held[0]);
  });

  it("asks a refresh for as many as are shown, at least a page, at most what the server gives", () => {
    expect(refreshLimit(0)).toBe(CAMPAIGN_PAGE);
    expect(refreshLimit(120)).toBe(120);
    expect(refreshLimit(450)).toBe(MAX_CAMPAIGN_PAGE);
  });

  it("on the first load, offers more only when the page came back full", () => {
    expect(withNewest(null, page(["a", "b"]), 2)).toEqual({ list: page(["a", "b"]), more: true });
    expect(withNewest(null, page(["a"]), 2).more).toBe(false);
  });

  it("after a refresh puts the newest first and keeps the older pages shown, each once", () => {
    const next = withNewest({ list: page(["b", "c", "d"]), more: true }, page(["new", "b"]), 2);
    expect(ids(next.list)).toEqual(["new", "b", "c", "d"]);
    expect(next.more).toBe(true);
    // Everything was already loaded: a new campaign does not make older ones appear.
    expect(withNewest({ list: page(["b", "c"]), more: false }, page(["new", "b"]), 2).more).toBe(false);
  });
});

describe("a stopped campaign's numbers count the attempts made (review of 2026-12-12)", () => {
  it("counts as called every client rung, a busy one the stop then cancelled too, and as spared only the never rung", () => {
    // 60 clients: 10 done, 50 cancelled by the stop, of which 10 had been rung once (busy) before it.
    const stopped = { ...campaign({ done: 10, cancelled: 50 }), dialled: 20, spared: 40 };
    expect([calledClients(stopped), cancelledClients(stopped), calledPercent(stopped)]).toEqual([20, 40, (100 * 20) / 60]);
  });

  it("counts the clients whose call failed apart from those reached", () => {
    expect(failedCalls({ ...campaign({ done: 3 }), failed_calls: 2 })).toBe(2);
    expect(failedCalls(campaign({ done: 3 }))).toBe(0); // a server that does not count them
  });
});

describe("a campaign's clients finished, waiting for a retry, and its pause (review of a Spanish bank's supervisor)", () => {
  it("counts as finished the clients whose calling ran its course, not those rung who wait for a retry", () => {
    const c = { ...campaign({ done: 14, failed: 2, pending: 3 }), dialled: 19, awaiting_retry: 3 };
    expect([finishedClients(c), calledClients(c), awaitingRetry(c)]).toEqual([16, 19, 3]);
    expect(Math.round(finishedPercent(c))).toBe(84);
  });

  it("counts a client cancelled by a stop after a ring as finished, and those the stop spared apart", () => {
    const stopped = { ...campaign({ done: 10, cancelled: 50 }), dialled: 20, spared: 40 };
    expect(finishedClients(stopped)).toBe(20);
    expect(finishedClients(campaign({ cancelled: 3 }))).toBe(0); // QA: not "3 of 3 (100%)" before any call
  });

  it("reads no retry waiting from a server that does not count them", () => {
    expect(awaitingRetry(campaign({ pending: 3 }))).toBe(0);
  });

  it("is paused while a supervisor holds it and anyone is left, offering a resume and no pause", () => {
    const held = { ...campaign({ pending: 2, dialing: 1 }), paused: true };
    expect(campaignState(held)).toBe("paused");
    expect([mayBePaused(held), mayBeResumed(held), mayBeStopped(held), changesByItself(held)]).toEqual([false, true, true, true]);
    expect(nextCall({ ...held, next_due: "2026-12-08T10:30:00Z" })).toBeNull();
  });

  it("is finished once its clients ran out of time during the pause, still offering the resume", () => {
    const lapsed = { ...campaign({ expired: 2 }), paused: true };
    expect([campaignState(lapsed), mayBeResumed(lapsed), changesByItself(lapsed)]).toEqual(["finished", true, false]);
  });

  it("offers a pause while it runs, not once it was stopped", () => {
    expect(mayBePaused(campaign({ pending: 1 }))).toBe(true);
    expect(mayBePaused({ ...campaign({ dialing: 1, cancelled: 2 }), cancelled_at: "2026-12-08T10:00:00Z" })).toBe(false);
  });
});
