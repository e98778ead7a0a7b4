import { distance } from 'fastest-levenshtein';

/**
 * The candidate closest to `word`, when it is close enough to be a likely typo:
 * case is ignored, and up to 40% of the longer word may differ (at least 2
 * edits), so 'Acme Hubspot app' still finds 'Acme HubSpot OAuth app'.
 */
export function suggestClosest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const d = distance(lower, candidate.toLowerCase());
    const limit = Math.max(2, Math.floor(0.4 * Math.max(word.length, candidate.length)));
    if (d <= limit && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** " (did you mean 'x'?)" or ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const suggestion = suggestClosest(word, candidates);
  return suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`;
}
