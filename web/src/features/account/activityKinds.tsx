import { CheckSquareOutlined, EnvironmentOutlined, FileTextOutlined, MailOutlined, PhoneOutlined, TeamOutlined } from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { ActivityKind } from '@/api/types';

export const ACTIVITY_KINDS: readonly ActivityKind[] = ['call', 'visit', 'meeting', 'email', 'note', 'task'];

export const ACTIVITY_ICONS: Record<ActivityKind, ReactNode> = {
  call: <PhoneOutlined />,
  visit: <EnvironmentOutlined />,
  meeting: <TeamOutlined />,
  email: <MailOutlined />,
  note: <FileTextOutlined />,
  task: <CheckSquareOutlined />,
};

export const ACTIVITY_COLORS: Record<ActivityKind, string> = {
  call: '#1d4ed8',
  visit: '#16a34a',
  meeting: '#7c3aed',
  email: '#0891b2',
  note: '#64748b',
  task: '#ea580c',
};
